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
 * export carry them with the weights; they are derived from {@link FeatureStatistics}. In training the block passes
 * its input through: the trainer scales each minibatch in Java as it copies it in ({@link #scaled}), and the arrays
 * are written only when something reads them ({@link #flush}); evaluation and serving scale in the block.
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
    private float[] shiftValues;
    private float[] scaleValues;
    private float[] scratch = new float[0]; // the last minibatch scaled (#scaled)
    private boolean dirty; // the parameter arrays lag the statistics until something reads them

    InputNormalization(Normalization normalization, int inputs) {
        this.statistics = new FeatureStatistics(normalization, inputs);
        this.shift = addParameter(Parameter.builder().setName("shift").setType(Parameter.Type.RUNNING_MEAN)
                .optShape(new Shape(inputs)).optRequiresGrad(false).build());
        this.scale = addParameter(Parameter.builder().setName("scale").setType(Parameter.Type.RUNNING_VAR)
                .optShape(new Shape(inputs)).optRequiresGrad(false).build());
        this.shiftValues = statistics.shift();
        this.scaleValues = statistics.scale();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (training) {
            return inputs; // the trainer scaled the minibatch as it copied it in (#scaled)
        }
        flush();
        NDArray x = inputs.singletonOrThrow();
        return new NDList(x.sub(store.getValue(shift, x.getDevice(), false))
                .mul(store.getValue(scale, x.getDevice(), false)));
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
            refresh();
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
            refresh();
        }
    }

    /** Minibatches that were not trained: the first statistics are forgotten when they came from one of them. */
    void discard(List<MiniBatch> untrained) {
        if (primed != null && untrained.contains(primed)) {
            statistics.reset();
            primed = null;
            refresh();
        }
    }

    /** Takes the shift and scale the statistics give now; the parameter arrays follow at the next {@link #flush}. */
    private void refresh() {
        shiftValues = statistics.shift();
        scaleValues = statistics.scale();
        dirty = true;
    }

    /**
     * {@code (x - shift) * scale} of {@code rows} row-major examples, in float32 as the block's own operations compute
     * it: a training minibatch is scaled here, once, as it is copied into the engine (two native operations and two
     * parameter writes per update cost the in-memory loop a sixth of its speed). The array returned is this object's
     * and is overwritten by the next call (the trainer thread's only): the caller copies it into the engine at once.
     * Reusing it spares the collector a minibatch-sized array per update (8 KB at batch 32 of 64 features).
     */
    float[] scaled(float[] x, int rows) {
        int features = shiftValues.length;
        if (scratch.length != rows * features) {
            scratch = new float[rows * features];
        }
        float[] out = scratch;
        for (int r = 0, i = 0; r < rows; r++) {
            for (int f = 0; f < features; f++, i++) {
                out[i] = (x[i] - shiftValues[f]) * scaleValues[f];
            }
        }
        return out;
    }

    /** Brings the parameter arrays up to the statistics (before evaluation, a snapshot or a checkpoint reads them). */
    void flush() {
        if (dirty) {
            NoGrad.run(() -> {
                shift.getArray().set(FloatBuffer.wrap(shiftValues));
                scale.getArray().set(FloatBuffer.wrap(scaleValues));
            });
            dirty = false;
        }
    }

    /** The statistics as checkpoint tensors. */
    Map<String, Tensor> statistics() {
        return statistics.toTensors();
    }

    /** Takes the statistics from a checkpoint (the applied shift and scale are restored with the weights). */
    void restore(Map<String, Tensor> tensors) {
        statistics.restore(tensors);
        primed = null;
        refresh(); // the same values the checkpoint's arrays hold: they were derived from these statistics
    }
}
