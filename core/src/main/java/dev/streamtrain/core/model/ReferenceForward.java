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
        List<Integer> widths = s.spec().widths();
        int inputs = widths.get(0);
        int classes = s.spec().classes();
        float[] probs = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            double[] a = new double[inputs];
            for (int f = 0; f < inputs; f++) {
                a[f] = x[r * inputs + f];
            }
            ModelSpec spec = s.spec();
            for (int l = 0; l < spec.hidden().size(); l++) {
                double[] z = dense(s, l, a);
                if (spec.batchNorm()) {
                    z = batchNorm(s, l, z);
                }
                if (spec.residual() && l >= 1) {
                    for (int k = 0; k < z.length; k++) {
                        z[k] += a[k];
                    }
                }
                for (int k = 0; k < z.length; k++) {
                    z[k] = activate(spec.activation(), z[k]);
                }
                a = z;
            }
            a = dense(s, spec.hidden().size(), a);
            double[] out = head(spec.head(), a);
            for (int c = 0; c < classes; c++) {
                probs[r * classes + c] = (float) out[c];
            }
        }
        return probs;
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

    private static double[] dense(ModelSnapshot s, int layer, double[] in) {
        float[] w = s.values(ModelSpec.weightName(layer));
        float[] b = s.values(ModelSpec.biasName(layer));
        double[] out = new double[b.length];
        for (int o = 0; o < out.length; o++) {
            double sum = b[o];
            for (int i = 0; i < in.length; i++) {
                sum += (double) w[o * in.length + i] * in[i];
            }
            out[o] = sum;
        }
        return out;
    }

    /** Batch norm in evaluation mode: running statistics. */
    private static double[] batchNorm(ModelSnapshot s, int layer, double[] z) {
        float[] gamma = s.values(ModelSpec.normWeightName(layer));
        float[] beta = s.values(ModelSpec.normBiasName(layer));
        float[] mean = s.values(ModelSpec.runningMeanName(layer));
        float[] var = s.values(ModelSpec.runningVarName(layer));
        double[] out = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            out[k] = (z[k] - mean[k]) / Math.sqrt(var[k] + ModelSpec.BN_EPS) * gamma[k] + beta[k];
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
