package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.QuarantineRequest;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.UpdateRejected;
import dev.streamtrain.core.events.ValidationMetrics;
import java.util.concurrent.CompletableFuture;

/**
 * Where the training loop publishes its facts (the event bus in the app; a list in tests), and how it asks for
 * minibatches to be dead-lettered. Called on the trainer thread; implementations must not block.
 */
public interface TrainerEvents {
    void step(StepMetrics metrics);

    void validation(ValidationMetrics metrics);

    void checkpointSaved(CheckpointSaved checkpoint);

    void lrChanged(LrChanged change);

    void finished(TrainingFinished finished);

    /** A guard refused an update. */
    default void updateRejected(UpdateRejected rejected) {
    }

    /** A rollback was carried out. */
    default void rolledBack(RolledBack rollback) {
    }

    /**
     * Dead-letters a minibatch the trainer did not train; completes once the copy is durable. The default has no
     * dead-letter topic and fails, so the records stay uncommitted rather than silently dropped.
     */
    default CompletableFuture<Void> quarantine(QuarantineRequest request) {
        return CompletableFuture.failedFuture(new IllegalStateException("no dead-letter topic is connected"));
    }
}
