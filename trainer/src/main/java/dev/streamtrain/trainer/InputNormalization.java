package dev.streamtrain.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.model.FeatureStatistics;
import dev.streamtrain.core.model.Normalization;
import dev.streamtrain.core.wire.Tensor;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * The model's first block: {@code (x - shift) * scale} per feature, input and output {@code [batch, inputs]}. Shift
 * and scale are parameters without gradients (like batch norm's running statistics), so checkpoints, rollbacks, the
 * weight average and the export carry them with the weights; they are derived from {@link FeatureStatistics}.
 *
 * <p>The statistics hold the minibatches the model was trained on: a minibatch is folded in once its update is
 * applied ({@link #commit}), so one the guard refuses or the trainer drops (a spike of 1e12 values, a poisoned
 * batch) never moves them, and is scaled by the statistics of what came before it, as it will be served. Only the
 * very first minibatch of a new model scales itself ({@link #prepare}): raw-unit features must not reach the first
 * update unscaled. Evaluation and serving never change the statistics.
 */
final class InputNormalization extends AbstractBlock {
    private final Parameter shift;
    private final Parameter scale;
    private final FeatureStatistics statistics;
    private MiniBatch primed;

    InputNormalization(Normalization normalization, int inputs) {
        this.statistics = new FeatureStatistics(normalization, inputs);
        this.shift = addParameter(Parameter.builder().setName("shift").setType(Parameter.Type.RUNNING_MEAN)
                .optShape(new Shape(inputs)).optRequiresGrad(false).build());
        this.scale = addParameter(Parameter.builder().setName("scale").setType(Parameter.Type.RUNNING_VAR)
                .optShape(new Shape(inputs)).optRequiresGrad(false).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return new NDList(x.sub(store.getValue(shift, x.getDevice(), training))
                .mul(store.getValue(scale, x.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    Parameter shift() {
        return shift;
    }

    Parameter scale() {
        return scale;
    }

    /** Before a training minibatch's forward pass: a model that has seen no example takes its first statistics. */
    void prepare(MiniBatch batch) {
        if (statistics.count() == 0 && primed == null && statistics.observe(batch.x(), batch.rows())) {
            primed = batch;
            write();
        }
    }

    /** The minibatches of an applied update join the statistics (the first one already did). */
    void commit(List<MiniBatch> trained) {
        boolean changed = false;
        for (MiniBatch b : trained) {
            if (b != primed) {
                changed |= statistics.observe(b.x(), b.rows());
            }
        }
        primed = null;
        if (changed) {
            write();
        }
    }

    /** Minibatches that were not trained: the first statistics are forgotten when they came from one of them. */
    void discard(List<MiniBatch> untrained) {
        if (primed != null && untrained.contains(primed)) {
            statistics.reset();
            primed = null;
            write();
        }
    }

    private void write() {
        NoGrad.run(() -> {
            shift.getArray().set(FloatBuffer.wrap(statistics.shift()));
            scale.getArray().set(FloatBuffer.wrap(statistics.scale()));
        });
    }

    /** The statistics as checkpoint tensors. */
    Map<String, Tensor> statistics() {
        return statistics.toTensors();
    }

    /** Takes the statistics from a checkpoint (the applied shift and scale are restored with the weights). */
    void restore(Map<String, Tensor> tensors) {
        statistics.restore(tensors);
        primed = null;
    }
}
