package dev.streamtrain.core.model;

import java.util.List;

/**
 * How the model scales its input features before the first dense layer, from running statistics of the training
 * stream (see {@link FeatureStatistics}). The transform is {@code y = (x - shift) * scale} per feature, applied inside
 * the model (trainer and exported ONNX graph alike), so a served model expects raw features, as it was fed them.
 *
 * <ul>
 *   <li>{@code none}: features enter the model as they are.
 *   <li>{@code standard}: zero mean and unit variance, as scikit-learn's {@code StandardScaler}: shift = mean,
 *       scale = 1 / standard deviation (population variance; a constant feature gets scale 1).
 *   <li>{@code minmax}: [0, 1] over the range seen, as scikit-learn's {@code MinMaxScaler}: shift = minimum,
 *       scale = 1 / (maximum - minimum) (a constant feature gets scale 1).
 * </ul>
 *
 * @param kind none, standard or minmax
 * @param momentum null for a cumulative average over every training example (Welford/Chan, as
 *     {@code StandardScaler.partial_fit}); otherwise (standard only) the weight in (0, 1] of each minibatch in an
 *     exponentially weighted mean and variance, so the statistics follow a drifting stream
 */
public record Normalization(String kind, Double momentum) {
    /** The kinds a job may choose. */
    public static final List<String> KINDS = List.of("none", "standard", "minmax");
    /** Parameter the model subtracts from each feature, float32 {@code [inputs]}. */
    public static final String SHIFT = "normalize.shift";
    /** Parameter the model multiplies each shifted feature by, float32 {@code [inputs]}. */
    public static final String SCALE = "normalize.scale";
    /** What every name of the normalization's parameters and statistics starts with. */
    public static final String PREFIX = "normalize.";
    /** Training examples the statistics have seen, float64 {@code [1]}. */
    public static final String COUNT = "normalize.count";

    public Normalization {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("normalize must be one of " + KINDS + ", got " + kind);
        }
        if (momentum != null && !(momentum > 0 && momentum <= 1)) {
            throw new IllegalArgumentException("normalize momentum must be in (0, 1] or null, got " + momentum);
        }
        if (momentum != null && kind.equals("minmax")) {
            throw new IllegalArgumentException("normalize momentum applies to standard only: a minimum and maximum"
                    + " have no exponential average that one-row minibatches would not collapse");
        }
    }

    /** True for the name of one of the normalization's parameters or statistics (not a weight). */
    public static boolean owns(String parameterName) {
        return parameterName.startsWith(PREFIX);
    }

    /** No input scaling. */
    public static Normalization none() {
        return new Normalization("none", null);
    }

    /** True unless the kind is none. */
    public boolean enabled() {
        return !kind.equals("none");
    }

    /**
     * Names of the float64 {@code [inputs]} statistics the kind keeps: {@code normalize.mean}, {@code normalize.var}
     * and the range taken ({@code normalize.min}, {@code normalize.max}) for standard; {@code normalize.min} and
     * {@code normalize.max} for minmax; none for none.
     */
    public List<String> statisticNames() {
        return switch (kind) {
            case "standard" -> List.of("normalize.mean", "normalize.var", "normalize.min", "normalize.max");
            case "minmax" -> List.of("normalize.min", "normalize.max");
            default -> List.of();
        };
    }
}
