package dev.streamtrain.trainer.tricks;

import ai.djl.ndarray.NDScope;
import dev.streamtrain.trainer.hooks.GradientEvent;
import dev.streamtrain.trainer.hooks.TrainingHook;
import dev.streamtrain.trainer.hooks.Verdict;

/**
 * PyTorch's {@code clip_grad_norm_} then {@code clip_grad_value_} on the accumulated gradients, in place, after
 * backward (see {@link GradientClipping}); the norm is the one the loop measured before any change.
 */
public final class ClipGradients implements TrainingHook {
    private final double maxNorm;
    private final double maxValue;

    /** @param maxNorm clip the global norm to this (0: off); @param maxValue clamp elements to [-v, v] (0: off) */
    public ClipGradients(double maxNorm, double maxValue) {
        this.maxNorm = maxNorm;
        this.maxValue = maxValue;
    }

    @Override
    public Verdict afterBackward(GradientEvent e) {
        try (NDScope scope = new NDScope()) {
            if (maxNorm > 0) {
                GradientClipping.scaleToNorm(e.gradients(), e.gradNorm(), maxNorm);
            }
            if (maxValue > 0) {
                GradientClipping.clipByValue(e.gradients(), maxValue);
            }
        }
        return Verdict.proceed();
    }
}
