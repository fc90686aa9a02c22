package dev.streamtrain.core.events;

import java.util.List;

/**
 * A checkpoint is durable; the offsets it includes may now be committed.
 *
 * @param job job name
 * @param update updates included
 * @param path checkpoint directory
 * @param offsets next offsets to read, per partition, for everything the checkpoint includes
 * @param writeMillis from the copy of the state to the checkpoint being durable (ms; -1 when it was not written
 *     now, e.g. the last one announced again at the end of a run)
 */
public record CheckpointSaved(String job, long update, String path, List<PartitionOffset> offsets, long writeMillis)
        implements StreamEvent {
    public CheckpointSaved {
        offsets = List.copyOf(offsets);
    }

    /** A checkpoint announced without a write time. */
    public CheckpointSaved(String job, long update, String path, List<PartitionOffset> offsets) {
        this(job, update, path, offsets, -1);
    }

    /** The same checkpoint with its write time. */
    public CheckpointSaved withWriteMillis(long millis) {
        return new CheckpointSaved(job, update, path, offsets, millis);
    }

    @Override
    public String eventType() {
        return "checkpoint_saved";
    }
}
