package dev.streamtrain.core.control;

import dev.streamtrain.core.events.PredictRequest;

/**
 * What can be asked of the trainer. It serves one command at a time, between minibatches, and answers each with a
 * {@link CommandReply}: accepted at update N, refused with a reason, or (for {@link Predict}) the prediction.
 */
public sealed interface TrainerCommand {
    /** The command's name in the protocol ({@code stop}, {@code rollback}, ...), for logs and the control API. */
    String name();

    /**
     * End the run: finish like a bounded run (final evaluation, checkpoint, {@code training_finished}).
     *
     * @param reason why, in the product's words (e.g. {@code early_stopping: val_loss did not improve ...})
     * @param restoreBest make the best checkpoint seen (by the early-stopping metric) the final one and the export
     */
    record Stop(String reason, boolean restoreBest) implements TrainerCommand {
        public String name() {
            return "stop";
        }
    }

    /** Stop taking minibatches (ingest pauses through back-pressure) until {@link Resume}. */
    record Pause(String reason) implements TrainerCommand {
        public String name() {
            return "pause";
        }
    }

    /** Take minibatches again after {@link Pause}. */
    record Resume() implements TrainerCommand {
        public String name() {
            return "resume";
        }
    }

    /**
     * Restore the last good state saved before {@code beforeUpdate}, lower the rate, quarantine (or replay) the
     * minibatches applied since that state, and go on.
     *
     * @param reason the alert kind or operator reason that caused it
     * @param beforeUpdate restore a good state saved at fewer than this many updates (the update an alert names, so
     *     the state restored predates the trouble); 0 or less: the newest good state
     */
    record Rollback(String reason, long beforeUpdate) implements TrainerCommand {
        public String name() {
            return "rollback";
        }
    }

    /** Multiply the learning rate by {@code factor} (in (0, 10]) from the next update on. */
    record ScaleLr(double factor, String reason) implements TrainerCommand {
        public String name() {
            return "scale-lr";
        }
    }

    /** Set the learning rate to {@code lr} (&gt; 0) from the next update on (the schedule's shape is kept, rescaled). */
    record SetLr(double lr, String reason) implements TrainerCommand {
        public String name() {
            return "set-lr";
        }
    }

    /** Evaluate and save a checkpoint now. */
    record CheckpointNow() implements TrainerCommand {
        public String name() {
            return "checkpoint-now";
        }
    }

    /** Class probabilities of some rows from the current (served) weights. */
    record Predict(PredictRequest request) implements TrainerCommand {
        public String name() {
            return "predict";
        }
    }
}
