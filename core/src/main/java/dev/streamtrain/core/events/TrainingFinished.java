package dev.streamtrain.core.events;

import java.util.List;

/**
 * A bounded run reached the end of its input and saved its final checkpoint.
 *
 * @param job job name
 * @param updates optimizer updates done
 * @param samples examples trained
 * @param skippedUpdates minibatches whose update was skipped (non-finite loss)
 * @param wallMillis training wall time
 * @param validation final validation metrics (null when no validation data)
 * @param checkpoint final checkpoint directory
 * @param progress per-partition audit of what was trained
 */
public record TrainingFinished(String job, long updates, long samples, long skippedUpdates, long wallMillis,
        ValidationMetrics validation, String checkpoint, List<PartitionProgress> progress) implements StreamEvent {
    public TrainingFinished {
        progress = List.copyOf(progress);
    }

    @Override
    public String eventType() {
        return "training_finished";
    }
}
