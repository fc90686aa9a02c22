package dev.streamtrain.core.model;

import java.util.List;

/**
 * A plain-Java, double-precision forward pass of a {@link ModelSnapshot}: dense layers ({@code W x + b} with
 * {@code W} as {@code [out, in]}), batch norm, residual sums and the activation between them, and the head at the end
 * (softmax, sigmoid or identity). Independent of DJL and ONNX
 * Runtime, it is the oracle the parity tests compare both engines with.
 */
public final class ReferenceForward {
    private ReferenceForward() {
    }

    /** Row-major outputs (after the head) for {@code rows} rows of row-major features. */
    public static float[] probabilities(ModelSnapshot s, float[] x, int rows) {
        double[] out = outputs(s, x, rows, false);
        float[] probs = new float[out.length];
        for (int i = 0; i < out.length; i++) {
            probs[i] = (float) out[i];
        }
        return probs;
    }

    /**
     * Row-major outputs (after the head) for {@code rows} rows of row-major features, in double precision, or with
     * every intermediate rounded to float32 ({@code float32}): how far the two differ on some rows tells how much a
     * float32 engine may differ from the exact result by rounding alone (large inputs, large weights).
     */
    public static double[] outputs(ModelSnapshot s, float[] x, int rows, boolean float32) {
        List<Integer> widths = s.spec().widths();
        int inputs = widths.get(0);
        int classes = s.spec().classes();
        double[] all = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            double[] a = new double[inputs];
            for (int f = 0; f < inputs; f++) {
                a[f] = x[r * inputs + f];
            }
            ModelSpec spec = s.spec();
            for (int l = 0; l < spec.hidden().size(); l++) {
                double[] z = dense(s, l, a, float32);
                if (spec.batchNorm()) {
                    z = batchNorm(s, l, z, float32);
                }
                if (spec.residual() && l >= 1) {
                    for (int k = 0; k < z.length; k++) {
                        z[k] = round(z[k] + a[k], float32);
                    }
                }
                for (int k = 0; k < z.length; k++) {
                    z[k] = round(activate(spec.activation(), z[k]), float32);
                }
                a = z;
            }
            a = dense(s, spec.hidden().size(), a, float32);
            double[] out = head(spec.head(), a);
            for (int c = 0; c < classes; c++) {
                all[r * classes + c] = round(out[c], float32);
            }
        }
        return all;
    }

    private static double round(double v, boolean float32) {
        return float32 ? (float) v : v;
    }

    private static double[] head(String head, double[] z) {
        double[] out = new double[z.length];
        switch (head) {
            case "softmax" -> {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : z) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (double v : z) {
                    sum += Math.exp(v - max);
                }
                for (int c = 0; c < z.length; c++) {
                    out[c] = Math.exp(z[c] - max) / sum;
                }
            }
            case "sigmoid" -> {
                for (int c = 0; c < z.length; c++) {
                    out[c] = 1 / (1 + Math.exp(-z[c]));
                }
            }
            default -> System.arraycopy(z, 0, out, 0, z.length);
        }
        return out;
    }

    private static double[] dense(ModelSnapshot s, int layer, double[] in, boolean float32) {
        float[] w = s.values(ModelSpec.weightName(layer));
        float[] b = s.values(ModelSpec.biasName(layer));
        double[] out = new double[b.length];
        for (int o = 0; o < out.length; o++) {
            double sum = b[o];
            for (int i = 0; i < in.length; i++) {
                sum = round(sum + round((double) w[o * in.length + i] * in[i], float32), float32);
            }
            out[o] = sum;
        }
        return out;
    }

    /** Batch norm in evaluation mode: running statistics. */
    private static double[] batchNorm(ModelSnapshot s, int layer, double[] z, boolean float32) {
        float[] gamma = s.values(ModelSpec.normWeightName(layer));
        float[] beta = s.values(ModelSpec.normBiasName(layer));
        float[] mean = s.values(ModelSpec.runningMeanName(layer));
        float[] var = s.values(ModelSpec.runningVarName(layer));
        double[] out = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            out[k] = round((z[k] - mean[k]) / Math.sqrt(var[k] + ModelSpec.BN_EPS) * gamma[k] + beta[k], float32);
        }
        return out;
    }

    private static double activate(String activation, double v) {
        return switch (activation) {
            case "relu" -> Math.max(0, v);
            case "tanh" -> Math.tanh(v);
            default -> throw new IllegalArgumentException("unsupported activation " + activation);
        };
    }
}
