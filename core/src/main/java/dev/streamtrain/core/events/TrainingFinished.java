package dev.streamtrain.core.events;

import java.util.List;

/**
 * A bounded run reached the end of its input and saved its final checkpoint.
 *
 * @param job job name
 * @param updates optimizer updates done
 * @param samples examples trained
 * @param skippedUpdates minibatches whose update was skipped (non-finite loss)
 * @param time the training wall time and where it went
 * @param validation final validation metrics (null when no validation data)
 * @param checkpoint final checkpoint directory
 * @param progress per-partition audit of what was trained
 * @param stopReason why training ended: {@code end_of_stream}, {@code max_updates}, {@code early_stopping: ...},
 *     {@code stopped: ...} (a stop command) or {@code rollback_budget_exhausted: ...}
 */
public record TrainingFinished(String job, long updates, long samples, long skippedUpdates, TrainerTime time,
        ValidationMetrics validation, String checkpoint, List<PartitionProgress> progress, String stopReason)
        implements StreamEvent {
    public TrainingFinished {
        progress = List.copyOf(progress);
        java.util.Objects.requireNonNull(time, "time");
    }

    /** Training wall time in milliseconds, from the first minibatch to the end (also in the JSON, as before). */
    @com.fasterxml.jackson.annotation.JsonProperty("wallMillis")
    public long wallMillis() {
        return time.wallMillis();
    }

    /** Examples trained per second of training wall time. */
    public double samplesPerSecond() {
        return samples / Math.max(1e-3, time.wallMillis() / 1000.0);
    }

    /** True when no update was applied: nothing may be exported, and a bounded run exits non-zero. */
    public boolean nothingTrained() {
        return updates == 0;
    }

    @Override
    public String eventType() {
        return "training_finished";
    }
}
