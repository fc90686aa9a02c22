package dev.streamtrain.trainer;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.wire.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DJL multilayer perceptron built from a {@link ModelSpec}, which keeps its dense layers in order so their
 * parameters can be exported under the spec's engine-neutral names ({@code layers.<i>.weight|bias}).
 */
final class MlpNetwork {
    private final ModelSpec spec;
    private final SequentialBlock block = new SequentialBlock();
    private final List<Linear> layers = new ArrayList<>();

    MlpNetwork(ModelSpec spec) {
        this.spec = spec;
        List<Integer> widths = spec.widths();
        for (int i = 1; i < widths.size(); i++) {
            Linear linear = Linear.builder().setUnits(widths.get(i)).build();
            layers.add(linear);
            block.add(linear);
            if (i < widths.size() - 1) {
                block.add(activation(spec.activation()));
            }
        }
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

    /** DJL parameter id to engine-neutral name ({@code layers.<i>.weight|bias}), for optimizer state. */
    Map<String, String> namesById() {
        Map<String, String> names = new java.util.HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            names.put(layers.get(i).getParameters().get("weight").getId(), ModelSpec.weightName(i));
            names.put(layers.get(i).getParameters().get("bias").getId(), ModelSpec.biasName(i));
        }
        return names;
    }

    /** The live parameter arrays by engine-neutral name. */
    Map<String, NDArray> arraysByName() {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            arrays.put(ModelSpec.weightName(i), layers.get(i).getParameters().get("weight").getArray());
            arrays.put(ModelSpec.biasName(i), layers.get(i).getParameters().get("bias").getArray());
        }
        return arrays;
    }

    /** Copies the current parameters out as an engine-neutral snapshot. */
    ModelSnapshot snapshot(long updates) {
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            params.put(ModelSpec.weightName(i), copy(layers.get(i).getParameters().get("weight").getArray()));
            params.put(ModelSpec.biasName(i), copy(layers.get(i).getParameters().get("bias").getArray()));
        }
        return new ModelSnapshot(spec, params, updates);
    }

    private static Tensor copy(NDArray array) {
        return Tensor.ofFloats(array.getShape().getShape(), array.toFloatArray());
    }
}
