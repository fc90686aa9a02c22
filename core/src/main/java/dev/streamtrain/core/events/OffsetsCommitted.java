package dev.streamtrain.core.events;

import java.util.List;

/**
 * Ingest committed these offsets to Kafka (after the checkpoint that includes them was durable).
 *
 * @param job job name
 * @param update the checkpoint's update count
 * @param offsets committed next offsets
 */
public record OffsetsCommitted(String job, long update, List<PartitionOffset> offsets) implements StreamEvent {
    public OffsetsCommitted {
        offsets = List.copyOf(offsets);
    }

    @Override
    public String eventType() {
        return "offsets_committed";
    }
}
