package dev.streamtrain.ingest;

import io.vertx.kafka.client.common.TopicPartition;
import java.util.HashMap;
import java.util.Map;

/**
 * Knows, per assigned partition, the next offset to read and the end offset noted at start, so a bounded reader
 * can tell when it has read everything that existed when it started.
 */
final class PartitionProgressTracker {
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> end = new HashMap<>();

    void start(TopicPartition tp, long nextOffset, long endOffset) {
        next.merge(tp, nextOffset, Math::max); // records of a partition added at run time may arrive first
        end.put(tp, endOffset);
    }

    void advance(TopicPartition tp, long recordOffset) {
        next.merge(tp, recordOffset + 1, Math::max);
    }

    /** True when every partition's next offset has reached its end offset. */
    boolean reachedEnd() {
        return end.entrySet().stream().allMatch(e -> next.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Next offsets keyed "topic-partition", for {@link dev.streamtrain.core.batch.EndOfStream}. */
    Map<String, Long> nextOffsets() {
        Map<String, Long> out = new HashMap<>();
        next.forEach((tp, o) -> out.put(tp.getTopic() + "-" + tp.getPartition(), o));
        return out;
    }

    /** Per "topic-partition": the end offset minus the next offset to read (never negative). */
    Map<String, Long> lag(Map<TopicPartition, Long> endOffsets) {
        Map<String, Long> out = new HashMap<>();
        endOffsets.forEach((tp, endOffset) -> out.put(tp.getTopic() + "-" + tp.getPartition(),
                Math.max(0, endOffset - next.getOrDefault(tp, 0L))));
        return out;
    }
}
