package dev.streamtrain.trainer.hooks;

/**
 * A behaviour on named events of the training loop (fastai callback, DJL {@code TrainingListener}); every method has
 * a no-op default, so a hook implements only the events it needs. Hooks run on the trainer thread in the order they
 * were added; the first verdict that cancels wins and the later hooks are not called for that event.
 */
public interface TrainingHook {
    /** After the forward pass, before backward: may replace the objective or cancel the batch. */
    default Verdict afterLoss(LossEvent event) {
        return Verdict.proceed();
    }

    /** After backward, before the step: may change the gradients in place or cancel the update. */
    default Verdict afterBackward(GradientEvent event) {
        return Verdict.proceed();
    }

    /** After the step: may read the parameters, or cancel (undo) the update. */
    default Verdict afterStep(StepEvent event) {
        return Verdict.proceed();
    }
}
