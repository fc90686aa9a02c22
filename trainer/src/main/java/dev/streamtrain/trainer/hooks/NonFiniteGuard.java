package dev.streamtrain.trainer.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Nothing non-finite is applied: a NaN/Inf loss cancels the batch before backward ({@code non_finite_loss}); a NaN/Inf
 * gradient norm cancels the update before the step, with or without clipping ({@code non_finite_gradient}); NaN/Inf
 * parameters after the step cancel the update, which the loop undoes by restoring the last good state
 * ({@code non_finite_parameters}). Training-knowledge §10: "a NaN guard is a few lines".
 */
public final class NonFiniteGuard implements TrainingHook {
    @Override
    public Verdict afterLoss(LossEvent e) {
        return Float.isFinite(e.loss()) ? Verdict.proceed() : Verdict.cancelBatch("non_finite_loss", e.loss());
    }

    @Override
    public Verdict afterBackward(GradientEvent e) {
        return Double.isFinite(e.gradNorm()) ? Verdict.proceed()
                : Verdict.cancelUpdate("non_finite_gradient", e.gradNorm());
    }

    @Override
    public Verdict afterStep(StepEvent e) {
        try (NDScope scope = new NDScope()) {
            // one sum per tensor, added on the device, one number to the host: a sum is non-finite when any element
            // is (or when the weights are so large that they sum past float's range, which is as broken)
            NDArray total = null;
            for (NDArray p : e.parameters().values()) {
                NDArray s = p.sum();
                total = total == null ? s : total.add(s);
            }
            double sum = total == null ? 0 : total.getFloat();
            return Double.isFinite(sum) ? Verdict.proceed() : Verdict.cancelUpdate("non_finite_parameters", sum);
        }
    }
}
