package dev.streamtrain.trainer;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.model.Normalization;
import dev.streamtrain.core.wire.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DJL multilayer perceptron built from a {@link ModelSpec} (input normalization, dense layers, optional batch norm,
 * dropout and residual
 * blocks), which keeps its layers in order so their parameters can be exported under the spec's engine-neutral,
 * PyTorch-style names.
 */
final class MlpNetwork {
    private final ModelSpec spec;
    private final SequentialBlock block = new SequentialBlock();
    private final List<Linear> layers = new ArrayList<>();
    private final List<BatchNorm> norms = new ArrayList<>();
    private final InputNormalization normalization;
    private final Map<String, Parameter> parameters;

    MlpNetwork(ModelSpec spec) {
        this.spec = spec;
        List<Integer> widths = spec.widths();
        this.normalization = spec.normalization().enabled()
                ? new InputNormalization(spec.normalization(), spec.inputs()) : null;
        if (normalization != null) {
            block.add(normalization);
        }
        for (int i = 0; i < spec.hidden().size(); i++) {
            Linear linear = Linear.builder().setUnits(widths.get(i + 1)).build();
            layers.add(linear);
            SequentialBlock branch = new SequentialBlock().add(linear);
            if (spec.batchNorm()) {
                // DJL's momentum weighs the old running value: PyTorch's default momentum 0.1 is DJL's 0.9
                BatchNorm norm = BatchNorm.builder().optEpsilon((float) ModelSpec.BN_EPS).optMomentum(0.9f).build();
                norms.add(norm);
                branch.add(norm);
            }
            if (spec.residual() && i >= 1) {
                block.add(new ParallelBlock(MlpNetwork::sum, List.of(branch, Blocks.identityBlock())));
            } else {
                block.add(branch);
            }
            block.add(activation(spec.activation()));
            if (spec.dropout() > 0) {
                block.add(Dropout.builder().optRate((float) spec.dropout()).build());
            }
        }
        Linear output = Linear.builder().setUnits(spec.classes()).build();
        layers.add(output);
        block.add(output);
        this.parameters = nameParameters();
    }

    private static NDList sum(List<NDList> branches) {
        return new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()));
    }

    private static Block activation(String name) {
        return switch (name) {
            case "relu" -> Activation.reluBlock();
            case "tanh" -> Activation.tanhBlock();
            default -> throw new IllegalArgumentException("unsupported activation " + name);
        };
    }

    Block block() {
        return block;
    }

    ModelSpec spec() {
        return spec;
    }

    /** Creates a DJL model holding this network. */
    Model newModel(String name) {
        Model model = Model.newInstance(name);
        model.setBlock(block);
        return model;
    }

    /** Every parameter by engine-neutral name, in layer order (fixed once the network is built). */
    private Map<String, Parameter> parameters() {
        return parameters;
    }

    private Map<String, Parameter> nameParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        if (normalization != null) {
            out.put(Normalization.SHIFT, normalization.shift());
            out.put(Normalization.SCALE, normalization.scale());
        }
        for (int i = 0; i < layers.size(); i++) {
            out.put(ModelSpec.weightName(i), layers.get(i).getParameters().get("weight"));
            out.put(ModelSpec.biasName(i), layers.get(i).getParameters().get("bias"));
            if (i < norms.size()) {
                var p = norms.get(i).getParameters();
                out.put(ModelSpec.normWeightName(i), p.get("gamma"));
                out.put(ModelSpec.normBiasName(i), p.get("beta"));
                out.put(ModelSpec.runningMeanName(i), p.get("runningMean"));
                out.put(ModelSpec.runningVarName(i), p.get("runningVar"));
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** DJL parameter id to engine-neutral name, for optimizer state. */
    Map<String, String> namesById() {
        Map<String, String> names = new HashMap<>();
        parameters().forEach((name, p) -> names.put(p.getId(), name));
        return names;
    }

    /** The live parameter arrays by engine-neutral name (running statistics and the input scaling included). */
    Map<String, NDArray> arraysByName() {
        if (normalization != null) {
            normalization.flush();
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        parameters().forEach((name, p) -> arrays.put(name, p.getArray()));
        return arrays;
    }

    /**
     * The arrays an update changes (weights and batch-norm statistics, not the input scaling, which follows the
     * stream's statistics): what the step hooks check and the weight average averages.
     */
    Map<String, NDArray> weightsByName() {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        parameters().forEach((name, p) -> {
            if (!Normalization.owns(name)) {
                arrays.put(name, p.getArray());
            }
        });
        return arrays;
    }

    /** DJL parameter ids by engine-neutral name. */
    Map<String, String> idsByName() {
        Map<String, String> ids = new LinkedHashMap<>();
        parameters().forEach((name, p) -> ids.put(name, p.getId()));
        return ids;
    }

    /** The arrays that receive gradients (running statistics excluded), for clipping. */
    Map<String, NDArray> trainableArraysByName() {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        parameters().forEach((name, p) -> {
            if (p.requiresGradient()) {
                arrays.put(name, p.getArray());
            }
        });
        return arrays;
    }

    /** Zeroes the batch-norm gamma of every residual branch, so each block starts as the identity. */
    void zeroInitResidualBranches() {
        for (int i = 1; i < norms.size(); i++) {
            NDArray gamma = norms.get(i).getParameters().get("gamma").getArray();
            gamma.set(java.nio.FloatBuffer.wrap(new float[(int) gamma.size()]));
        }
    }

    /** Before a training minibatch's forward pass (see {@link InputNormalization#prepare}); nothing without one. */
    void prepareInputs(dev.streamtrain.core.batch.MiniBatch batch) {
        if (normalization != null) {
            normalization.prepare(batch);
        }
    }

    /**
     * After an update: its minibatches join the input statistics when it was applied, and are forgotten when not;
     * nothing without an input normalization.
     */
    void settleInputs(List<dev.streamtrain.core.batch.MiniBatch> batches, boolean applied) {
        if (normalization != null && applied) {
            normalization.commit(batches);
        } else if (normalization != null) {
            normalization.discard(batches);
        }
    }

    /**
     * A training minibatch's features as the model's first layer takes them: scaled, or as they are without one. The
     * array is {@code x} itself or the normalization's own, which the next call overwrites: copy it into the engine
     * before calling again (the trainer thread's only caller does, at once).
     */
    float[] scaledInputs(float[] x, int rows) {
        return normalization == null ? x : normalization.scaled(x, rows);
    }

    /** Takes the input normalization's statistics from a checkpoint's parameters; nothing without one. */
    void restoreStatistics(Map<String, Tensor> parameters) {
        if (normalization != null) {
            normalization.restore(parameters);
        }
    }

    /** Copies the current parameters (and the input statistics) out as an engine-neutral snapshot. */
    ModelSnapshot snapshot(long updates) {
        Map<String, Tensor> params = new LinkedHashMap<>();
        arraysByName().forEach((name, a) -> params.put(name, Tensor.ofFloats(a.getShape().getShape(),
                a.toFloatArray())));
        if (normalization != null) {
            params.putAll(normalization.statistics());
        }
        return new ModelSnapshot(spec, params, updates);
    }
}
