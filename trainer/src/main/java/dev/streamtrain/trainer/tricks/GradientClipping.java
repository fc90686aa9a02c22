package dev.streamtrain.trainer.tricks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;

/**
 * PyTorch's gradient clipping, symmetric and in place. {@code clip_grad_norm_}: the total norm is the p-norm of the
 * per-tensor p-norms (the max |g| for p = inf); every gradient is multiplied by
 * {@code min(1, max_norm / (total + 1e-6))}; the pre-clip total is returned (published as a metric).
 * {@code clip_grad_value_}: every element is clamped to {@code [-v, v]} (DJL's own {@code clipGrad} only clips the
 * positive side).
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** Clips the gradients' global norm to {@code maxNorm}; returns the norm before clipping. */
    public static double clipByNorm(List<NDArray> grads, double maxNorm, double normType) {
        double total = totalNorm(grads, normType);
        scaleToNorm(grads, total, maxNorm);
        return total;
    }

    /** The second half of {@link #clipByNorm}, for a caller that already has the total norm. */
    public static void scaleToNorm(List<NDArray> grads, double total, double maxNorm) {
        double coefficient = Math.min(1.0, maxNorm / (total + 1e-6));
        if (coefficient < 1.0) { // a factor of exactly 1 changes nothing: skip the multiplications
            for (NDArray g : grads) {
                g.muli(coefficient);
            }
        }
    }

    /** The global p-norm without clipping (for the metric when only value clipping is on). */
    public static double totalNorm(List<NDArray> grads, double normType) {
        try (NDScope scope = new NDScope()) {
            double total = 0;
            for (NDArray g : grads) {
                NDArray abs = g.abs();
                if (Double.isInfinite(normType)) {
                    total = Math.max(total, abs.max().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
                } else {
                    double n = abs.pow(normType).sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                            .getDouble();
                    total += n;
                }
            }
            return Double.isInfinite(normType) ? total : Math.pow(total, 1 / normType);
        }
    }

    /** Clamps every gradient element to {@code [-clipValue, clipValue]}. */
    public static void clipByValue(List<NDArray> grads, double clipValue) {
        try (NDScope scope = new NDScope()) {
            for (NDArray g : grads) {
                g.set(new NDIndex("..."), g.clip(-clipValue, clipValue));
            }
        }
    }
}
