package dev.streamtrain.core.model;

import dev.streamtrain.core.wire.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model as data: its spec and parameters by name. What checkpoints hold and deploy exports.
 *
 * @param spec architecture
 * @param parameters tensors named as {@link ModelSpec} documents, in layer order: float32 weights, and the input
 *     normalization's float64 statistics ({@link Normalization}) when it has one
 * @param updates optimizer updates the weights have seen
 */
public record ModelSnapshot(ModelSpec spec, Map<String, Tensor> parameters, long updates) {
    public ModelSnapshot {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        List<Integer> w = spec.widths();
        if (spec.normalization().enabled()) {
            check(parameters, Normalization.SHIFT, new long[] {spec.inputs()});
            check(parameters, Normalization.SCALE, new long[] {spec.inputs()});
            check(parameters, Normalization.COUNT, new long[] {1});
            for (String name : spec.normalization().statisticNames()) {
                check(parameters, name, new long[] {spec.inputs()});
            }
        }
        for (int i = 0; i < spec.layerCount(); i++) {
            check(parameters, ModelSpec.weightName(i), new long[] {w.get(i + 1), w.get(i)});
            check(parameters, ModelSpec.biasName(i), new long[] {w.get(i + 1)});
            if (spec.batchNorm() && i < spec.hidden().size()) {
                for (String name : List.of(ModelSpec.normWeightName(i), ModelSpec.normBiasName(i),
                        ModelSpec.runningMeanName(i), ModelSpec.runningVarName(i))) {
                    check(parameters, name, new long[] {w.get(i + 1)});
                }
            }
        }
    }

    private static void check(Map<String, Tensor> parameters, String name, long[] shape) {
        Tensor t = parameters.get(name);
        if (t == null) {
            throw new IllegalArgumentException("snapshot lacks parameter " + name);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("parameter " + name + " has shape " + Arrays.toString(t.shape())
                    + ", the spec needs " + Arrays.toString(shape));
        }
    }

    /** Values of a parameter as float32. */
    public float[] values(String name) {
        return parameters.get(name).toFloats();
    }

    /** True when every parameter value is finite: a model with NaN or Inf weights must never be served. */
    public boolean isFinite() {
        for (Tensor t : parameters.values()) {
            if (!t.allFinite()) { // float64 statistics as they are: a variance past 3.4e38 is finite
                return false;
            }
        }
        return true;
    }

    /**
     * The largest absolute difference between any parameter value of this snapshot and the same one of {@code other}
     * (same names and shapes expected): 0 for bit-identical weights.
     */
    public double maxAbsDiff(ModelSnapshot other) {
        double max = 0;
        for (String name : parameters.keySet()) {
            float[] x = values(name);
            float[] y = other.values(name);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }
}
