package dev.streamtrain.trainer.hooks;

/**
 * A behaviour on named events of the training loop (fastai callback, DJL {@code TrainingListener}); every method has
 * a no-op default, so a hook implements only the events it needs. Hooks run on the trainer thread in the order they
 * were added; the first verdict that cancels the batch or the update wins and the later hooks are not called for that
 * event. A verdict that ends the run lets the current minibatch finish; the loop then finishes the run.
 *
 * <p>Events of one minibatch, in order: {@code beforeBatch}, {@code afterLoss}, then when an update is due
 * {@code afterBackward} and {@code afterStep}, then {@code afterBatch}; every {@code eval-every} updates
 * {@code afterValidate} per source and {@code afterCheckpoint}.
 */
public interface TrainingHook {
    /** Before a minibatch is computed: may cancel it (it is dead-lettered with the reason) or end the run. */
    default Verdict beforeBatch(dev.streamtrain.core.batch.MiniBatch batch) {
        return Verdict.proceed();
    }

    /**
     * After a minibatch was handled (trained, accumulated or refused; not after an engine error, which dead-letters
     * it as {@code training_error}): may end the run.
     */
    default Verdict afterBatch(dev.streamtrain.core.batch.MiniBatch batch) {
        return Verdict.proceed();
    }

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

    /** After an evaluation of a validation source: may end the run (an in-process early stop, say). */
    default Verdict afterValidate(dev.streamtrain.core.events.ValidationMetrics metrics) {
        return Verdict.proceed();
    }

    /** After a checkpoint was written: may end the run. */
    default Verdict afterCheckpoint(dev.streamtrain.core.events.CheckpointSaved checkpoint) {
        return Verdict.proceed();
    }
}
