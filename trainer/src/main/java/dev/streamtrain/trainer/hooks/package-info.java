/**
 * The training loop's extension points, after fastai's callbacks and DJL's {@code TrainingListener}: a
 * {@link dev.streamtrain.trainer.hooks.TrainingHook} is called on named events of one update (after the loss, after
 * backward, after the step) and answers with a {@link dev.streamtrain.trainer.hooks.Verdict}: go on, or cancel the
 * batch, the update or the run. The loop acts on the verdict between steps; each trick and guard is a few lines on
 * one event.
 */
package dev.streamtrain.trainer.hooks;
