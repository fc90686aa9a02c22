package dev.streamtrain.core.events;

import dev.streamtrain.core.batch.OffsetRange;
import java.util.List;

/**
 * Exactly where a model's training stands in its topics, as a checkpoint records it: per partition the commit
 * offset (every record below it was handled) and, above it, the ranges of records already handled too (trained,
 * dead-lettered or skipped while an earlier record was still on its way). A resumed run reads from the commit
 * offsets and passes over the ranges, so nothing the weights already contain is trained again.
 *
 * @param offsets next offset per partition: the contiguous handled prefix (Kafka's commit convention)
 * @param handledAbove records above those offsets already handled, as inclusive ranges (empty when none)
 */
public record TrainingPosition(List<PartitionOffset> offsets, List<OffsetRange> handledAbove) {
    /** Where a new model starts: nowhere yet. */
    public static final TrainingPosition NONE = new TrainingPosition(List.of(), List.of());

    public TrainingPosition {
        offsets = List.copyOf(offsets);
        handledAbove = handledAbove == null ? List.of() : List.copyOf(handledAbove);
    }

    /** Records above the commit offsets already handled. */
    public long handledAboveCount() {
        return handledAbove.stream().mapToLong(OffsetRange::count).sum();
    }
}
