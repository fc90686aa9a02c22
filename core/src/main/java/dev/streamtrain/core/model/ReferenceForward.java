package dev.streamtrain.core.model;

import java.util.List;

/**
 * A plain-Java, double-precision forward pass of a {@link ModelSnapshot}: dense layers ({@code W x + b} with
 * {@code W} as {@code [out, in]}), the activation between them, softmax at the end. Independent of DJL and ONNX
 * Runtime, it is the oracle the parity tests compare both engines with.
 */
public final class ReferenceForward {
    private ReferenceForward() {
    }

    /** Row-major class probabilities for {@code rows} rows of row-major features. */
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
            for (int l = 0; l < s.spec().layerCount(); l++) {
                a = dense(s, l, a, l == s.spec().layerCount() - 1);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : a) {
                max = Math.max(max, v);
            }
            double z = 0;
            for (double v : a) {
                z += Math.exp(v - max);
            }
            for (int c = 0; c < classes; c++) {
                probs[r * classes + c] = (float) (Math.exp(a[c] - max) / z);
            }
        }
        return probs;
    }

    private static double[] dense(ModelSnapshot s, int layer, double[] in, boolean last) {
        float[] w = s.values(ModelSpec.weightName(layer));
        float[] b = s.values(ModelSpec.biasName(layer));
        double[] out = new double[b.length];
        for (int o = 0; o < out.length; o++) {
            double sum = b[o];
            for (int i = 0; i < in.length; i++) {
                sum += (double) w[o * in.length + i] * in[i];
            }
            out[o] = last ? sum : activate(s.spec().activation(), sum);
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
