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

    /**
     * The global p-norm without clipping. The per-tensor reductions stay on the device and are added there, so the
     * host waits for one number per update, not one per tensor.
     */
    public static double totalNorm(List<NDArray> grads, double normType) {
        if (grads.isEmpty()) {
            return 0;
        }
        try (NDScope scope = new NDScope()) {
            NDArray total = null;
            for (NDArray g : grads) {
                // p = 2 (the default) in two device ops per tensor: the square needs no abs
                NDArray part = Double.isInfinite(normType) ? g.abs().max()
                        : normType == 2 ? g.mul(g).sum() : g.abs().pow(normType).sum();
                total = total == null ? part : Double.isInfinite(normType) ? total.maximum(part) : total.addi(part);
            }
            double t = total.toArray()[0].doubleValue(); // any float type; past float32 range is an explosion anyway
            return Double.isInfinite(normType) ? t : Math.pow(t, 1 / normType);
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
