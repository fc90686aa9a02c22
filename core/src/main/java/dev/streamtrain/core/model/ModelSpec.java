package dev.streamtrain.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Engine-neutral description of a multilayer perceptron classifier: the contract between the trainer (which builds
 * it in DJL) and deploy (which writes it as ONNX).
 *
 * <p>Parameters are named {@code layers.<i>.weight} (shape {@code [out, in]}, PyTorch's {@code nn.Linear} layout)
 * and {@code layers.<i>.bias} (shape {@code [out]}) for {@code i = 0 .. hidden.size()}. The activation follows every
 * layer but the last; the output is softmax probabilities over {@code classes}.
 *
 * @param inputs features per example
 * @param hidden widths of the hidden layers
 * @param classes number of classes
 * @param activation {@code relu} or {@code tanh}
 */
public record ModelSpec(int inputs, List<Integer> hidden, int classes, String activation) {
    /** Activations both the trainer and the ONNX writer implement. */
    public static final List<String> ACTIVATIONS = List.of("relu", "tanh");

    public ModelSpec {
        hidden = List.copyOf(hidden);
        if (inputs < 1 || classes < 2 || hidden.stream().anyMatch(h -> h < 1)) {
            throw new IllegalArgumentException("bad model spec: inputs=" + inputs + " hidden=" + hidden + " classes="
                    + classes);
        }
        if (!ACTIVATIONS.contains(activation)) {
            throw new IllegalArgumentException("activation must be one of " + ACTIVATIONS + ", got " + activation);
        }
    }

    /** Layer widths from input to output, e.g. {@code [64, 128, 10]}. */
    public List<Integer> widths() {
        List<Integer> widths = new ArrayList<>();
        widths.add(inputs);
        widths.addAll(hidden);
        widths.add(classes);
        return widths;
    }

    /** Number of dense layers. */
    public int layerCount() {
        return hidden.size() + 1;
    }

    /** Name of layer i's weight matrix. */
    public static String weightName(int layer) {
        return "layers." + layer + ".weight";
    }

    /** Name of layer i's bias vector. */
    public static String biasName(int layer) {
        return "layers." + layer + ".bias";
    }
}
