package dev.streamtrain.core.control;

import dev.streamtrain.core.events.PredictReply;

/** The trainer's answer to a {@link TrainerCommand}. */
public sealed interface CommandReply {
    /** The update count when the command was served. */
    long update();

    /**
     * Done (or, for stop, started) at update {@code update}.
     *
     * @param detail what was done, e.g. {@code rolled back to update 400, lr 0.05 -> 0.025, 6 minibatches
     *     quarantined}
     */
    record Accepted(long update, String detail) implements CommandReply {
    }

    /** Not done, and why, in the product's words (e.g. {@code no good checkpoint before update 3}). */
    record Refused(long update, String reason) implements CommandReply {
    }

    /** The answer to {@link TrainerCommand.Predict}. */
    record Predicted(long update, PredictReply prediction) implements CommandReply {
    }
}
