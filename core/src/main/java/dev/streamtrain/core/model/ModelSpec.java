package dev.streamtrain.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Engine-neutral description of a multilayer perceptron classifier: the contract between the trainer (which builds
 * it in DJL) and deploy (which writes it as ONNX).
 *
 * <p>Hidden layer {@code i} computes {@code z = Linear_i(h)}, then {@code z = BN_i(z)} with batch norm, then
 * {@code z = h + z} for a residual block ({@code i >= 1}), then {@code h = act(z)}, then dropout (training only). The
 * last dense layer gives {@code classes} outputs, passed through the head: softmax (class probabilities), sigmoid
 * (independent probabilities, e.g. one binary logit) or identity (regression values; {@code classes} is then the
 * number of targets). With no hidden layers and an identity head the model is linear regression; with softmax or
 * sigmoid it is logistic regression.
 *
 * <p>With {@link #normalization} enabled the input first becomes {@code (x - normalize.shift) * normalize.scale}.
 *
 * <p>Parameters use PyTorch's names and layouts: {@code layers.<i>.weight} ({@code [out, in]}, {@code nn.Linear}) and
 * {@code layers.<i>.bias} for {@code i = 0 .. hidden.size()}; with batch norm {@code norms.<i>.weight} (gamma),
 * {@code norms.<i>.bias} (beta), {@code norms.<i>.running_mean} and {@code norms.<i>.running_var}
 * ({@code nn.BatchNorm1d}, eps {@link #BN_EPS}) for each hidden layer.
 *
 * @param inputs features per example
 * @param hidden widths of the hidden layers
 * @param classes number of classes
 * @param activation {@code relu} or {@code tanh}
 * @param batchNorm batch normalisation after each hidden dense layer
 * @param dropout dropout probability after each hidden activation (0: none)
 * @param residual hidden layers after the first are residual blocks (all hidden widths equal)
 * @param head softmax, sigmoid or identity
 * @param normalization input feature scaling before the first layer ({@code normalize.shift},
 *     {@code normalize.scale} and the statistics {@link Normalization} names)
 */
public record ModelSpec(int inputs, List<Integer> hidden, int classes, String activation, boolean batchNorm,
        double dropout, boolean residual, String head, Normalization normalization) {
    /** Output heads. */
    public static final List<String> HEADS = List.of("softmax", "sigmoid", "identity");
    /** Batch-norm epsilon (PyTorch's default), shared by the trainer, the ONNX writer and the reference. */
    public static final double BN_EPS = 1e-5;
    /** Activations both the trainer and the ONNX writer implement. */
    public static final List<String> ACTIVATIONS = List.of("relu", "tanh");

    public ModelSpec {
        hidden = List.copyOf(hidden);
        java.util.Objects.requireNonNull(normalization, "normalization");
        if (!HEADS.contains(head)) {
            throw new IllegalArgumentException("head must be one of " + HEADS + ", got " + head);
        }
        if (inputs < 1 || classes < (head.equals("softmax") ? 2 : 1) || hidden.stream().anyMatch(h -> h < 1)) {
            throw new IllegalArgumentException("bad model spec: inputs=" + inputs + " hidden=" + hidden + " classes="
                    + classes);
        }
        if (!ACTIVATIONS.contains(activation)) {
            throw new IllegalArgumentException("activation must be one of " + ACTIVATIONS + ", got " + activation);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (residual && (hidden.size() < 2 || hidden.stream().distinct().count() != 1)) {
            throw new IllegalArgumentException("residual blocks need at least two hidden layers of equal width, got "
                    + hidden);
        }
    }

    /** A plain MLP: no batch norm, no dropout, no residual blocks. */
    public ModelSpec(int inputs, List<Integer> hidden, int classes, String activation) {
        this(inputs, hidden, classes, activation, false, 0, false, "softmax", Normalization.none());
    }

    /**
     * What a job file says of this model, in its keys: {@code inputs 64, hidden [128], classes 10, activation relu,
     * head softmax, normalize standard} (batch norm, dropout and residual blocks when on).
     */
    public String describe() {
        return "inputs " + inputs + ", hidden " + hidden + ", classes " + classes + ", activation " + activation
                + (batchNorm ? ", batch-norm" : "") + (dropout > 0 ? ", dropout " + dropout : "")
                + (residual ? ", residual" : "") + ", head " + head + ", normalize " + normalization.kind();
    }

    /**
     * True when a checkpoint of {@code other} can be trained on as this model: the same layers and input
     * normalization kind (its momentum only weighs future minibatches, so it may change between runs).
     */
    public boolean sameModelAs(ModelSpec other) {
        Normalization kindOnly = new Normalization(normalization.kind(), null);
        return withNormalization(kindOnly).equals(other.withNormalization(new Normalization(
                other.normalization().kind(), null)));
    }

    /** The same model with another input normalization. */
    public ModelSpec withNormalization(Normalization n) {
        return new ModelSpec(inputs, hidden, classes, activation, batchNorm, dropout, residual, head, n);
    }

    /** Batch-norm gamma of hidden layer i. */
    public static String normWeightName(int layer) {
        return "norms." + layer + ".weight";
    }

    /** Batch-norm beta of hidden layer i. */
    public static String normBiasName(int layer) {
        return "norms." + layer + ".bias";
    }

    /** Batch-norm running mean of hidden layer i. */
    public static String runningMeanName(int layer) {
        return "norms." + layer + ".running_mean";
    }

    /** Batch-norm running variance of hidden layer i. */
    public static String runningVarName(int layer) {
        return "norms." + layer + ".running_var";
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
