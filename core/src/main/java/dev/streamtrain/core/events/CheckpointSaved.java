package dev.streamtrain.core.events;

import java.util.List;

/**
 * A checkpoint is durable; the offsets it includes may now be committed.
 *
 * @param job job name
 * @param update updates included
 * @param path checkpoint directory
 * @param offsets next offsets to read, per partition, for everything the checkpoint includes
 */
public record CheckpointSaved(String job, long update, String path, List<PartitionOffset> offsets)
        implements StreamEvent {
    public CheckpointSaved {
        offsets = List.copyOf(offsets);
    }

    @Override
    public String eventType() {
        return "checkpoint_saved";
    }
}
