package dev.streamtrain.core.model;

import java.util.List;

/**
 * A plain-Java, double-precision forward pass of a {@link ModelSnapshot}: input normalization, dense layers ({@code W x + b} with
 * {@code W} as {@code [out, in]}), batch norm, residual sums and the activation between them, and the head at the end
 * (softmax, sigmoid or identity). Independent of DJL and ONNX
 * Runtime, it is the oracle the parity tests compare both engines with.
 */
public final class ReferenceForward {
    private ReferenceForward() {
    }

    /** Row-major outputs (after the head) for {@code rows} rows of row-major features. */
    public static float[] probabilities(ModelSnapshot s, float[] x, int rows) {
        double[] out = withRoundingBound(s, x, rows).outputs();
        float[] probs = new float[out.length];
        for (int i = 0; i < out.length; i++) {
            probs[i] = (float) out[i];
        }
        return probs;
    }

    /**
     * Outputs in double precision, each with how far a float32 engine computing the same model may be from it by
     * rounding alone.
     *
     * @param outputs row-major outputs (after the head)
     * @param bounds for each output, the bound on a float32 engine's rounding error
     */
    public record Bounded(double[] outputs, double[] bounds) {
    }

    /**
     * The outputs with a worst-case bound on float32 rounding, propagated layer by layer: a dot product of n terms
     * rounds by at most γ(n) = n·u/(1 − n·u) of the sum of its terms' magnitudes (u = 2^-24; Higham, "Accuracy and
     * Stability of Numerical Algorithms", §3.1), an input's error is carried through the layer by the weights'
     * magnitudes, ReLU and tanh pass it on (Lipschitz 1), batch norm scales it, softmax changes a probability by at
     * most twice the largest logit error times that probability, the sigmoid by a quarter of it. The bound grows with
     * the inputs' and weights' magnitudes row by row: rows of values in the thousands get a bound in proportion, rows
     * of unit values keep a tight one.
     */
    public static Bounded withRoundingBound(ModelSnapshot s, float[] x, int rows) {
        ModelSpec spec = s.spec();
        int inputs = spec.widths().get(0);
        int classes = spec.classes();
        double[] all = new double[rows * classes];
        double[] bounds = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            double[] a = new double[inputs];
            for (int f = 0; f < inputs; f++) {
                a[f] = x[r * inputs + f];
            }
            double[] e = new double[inputs]; // float32 inputs are exact
            if (spec.normalization().enabled()) {
                normalize(s, a, e);
            }
            for (int l = 0; l < spec.hidden().size(); l++) {
                double[] z = dense(s, l, a);
                double[] ez = denseError(s, l, a, e);
                if (spec.batchNorm()) {
                    z = batchNorm(s, l, z);
                    float[] gamma = s.values(ModelSpec.normWeightName(l));
                    float[] beta = s.values(ModelSpec.normBiasName(l));
                    float[] var = s.values(ModelSpec.runningVarName(l));
                    for (int k = 0; k < z.length; k++) {
                        ez[k] = Math.abs(gamma[k]) / Math.sqrt(var[k] + ModelSpec.BN_EPS) * ez[k]
                                + 4 * U * (Math.abs(z[k]) + Math.abs(beta[k]));
                    }
                }
                if (spec.residual() && l >= 1) {
                    for (int k = 0; k < z.length; k++) {
                        z[k] += a[k];
                        ez[k] += e[k] + U * Math.abs(z[k]);
                    }
                }
                for (int k = 0; k < z.length; k++) {
                    z[k] = activate(spec.activation(), z[k]);
                    ez[k] += spec.activation().equals("relu") ? 0 : 2 * U * Math.abs(z[k]);
                }
                a = z;
                e = ez;
            }
            int last = spec.hidden().size();
            double[] logits = dense(s, last, a);
            double[] el = denseError(s, last, a, e);
            double[] out = head(spec.head(), logits);
            double maxError = 0;
            for (double v : el) {
                maxError = Math.max(maxError, v);
            }
            for (int c = 0; c < classes; c++) {
                all[r * classes + c] = out[c];
                bounds[r * classes + c] = switch (spec.head()) {
                    case "softmax" -> Math.min(1, out[c] * (2 * maxError + (classes + 4) * U) + U);
                    case "sigmoid" -> Math.min(1, el[c] / 4 + 4 * U);
                    default -> el[c];
                };
            }
        }
        return new Bounded(all, bounds);
    }

    /** Unit roundoff of float32. */
    private static final double U = 0x1p-24;

    /** A dense layer's output error: the inputs' errors through |W|, plus the rounding of its dot products. */
    private static double[] denseError(ModelSnapshot s, int layer, double[] in, double[] inError) {
        float[] w = s.values(ModelSpec.weightName(layer));
        float[] b = s.values(ModelSpec.biasName(layer));
        int n = in.length + 1;
        double gamma = n * U / (1 - n * U);
        double[] out = new double[b.length];
        for (int o = 0; o < out.length; o++) {
            double carried = 0;
            double magnitude = Math.abs(b[o]);
            for (int i = 0; i < in.length; i++) {
                double wi = Math.abs(w[o * in.length + i]);
                carried += wi * inError[i];
                magnitude += wi * Math.abs(in[i]);
            }
            out[o] = carried + gamma * (magnitude + carried);
        }
        return out;
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

    /**
     * The input normalization {@code (x - shift) * scale} in place, with its float32 rounding: the subtraction and
     * the product each round by at most u of their result.
     */
    private static void normalize(ModelSnapshot s, double[] a, double[] e) {
        float[] shift = s.values(Normalization.SHIFT);
        float[] scale = s.values(Normalization.SCALE);
        for (int f = 0; f < a.length; f++) {
            double shifted = a[f] - shift[f];
            a[f] = shifted * scale[f];
            e[f] = U * Math.abs(shifted) * Math.abs(scale[f]) + U * Math.abs(a[f]);
        }
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
