package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.OffsetRange;
import io.vertx.kafka.client.common.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Knows, per assigned partition, the next offset to read and the end offset noted at start, so a bounded reader
 * can tell when it has read everything that existed when it started; and which records a resumed checkpoint already
 * handled above its commit offset, so they are passed over.
 *
 * <p>The end is judged from the consumer's position, not only from the records seen: a transaction marker, an
 * aborted record or a compacted one occupies an offset no record is delivered for, so the last record's offset can
 * stay below the end for ever.
 */
final class PartitionProgressTracker {
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> end = new HashMap<>();
    /** Per partition: the next offset and the consumer's position at the last ask. */
    private final Map<TopicPartition, long[]> asked = new HashMap<>();
    private final java.util.function.Consumer<OffsetRange> absent;

    /**
     * @param absent told of offsets passed that hold no record for the reader: transaction markers, aborted or
     *     compacted records (never the ranges a resumed checkpoint handled); they count as handled
     */
    PartitionProgressTracker(java.util.function.Consumer<OffsetRange> absent) {
        this.absent = absent;
    }

    /** A tracker for a reader that does not commit (absent offsets are not reported). */
    PartitionProgressTracker() {
        this(gap -> { });
    }

    /** Moves a partition's next offset forward; the offsets passed over without a record are reported absent. */
    private void moveTo(TopicPartition tp, long offset) {
        Long before = next.get(tp);
        if (before != null && offset > before && !handledBefore(tp, before, offset - 1)) {
            absent.accept(new OffsetRange(tp.getTopic(), tp.getPartition(), before, offset - 1));
        }
        next.merge(tp, offset, Math::max);
    }

    /** True when a resumed checkpoint already handled all of {@code from..to} (absent offsets included). */
    private boolean handledBefore(TopicPartition tp, long from, long to) {
        TreeMap<Long, Long> ranges = handledBefore.get(tp);
        var range = ranges == null ? null : ranges.floorEntry(from);
        return range != null && range.getValue() >= to;
    }
    /** Ranges handled before a restart, by partition: first offset to last (inclusive). */
    private final Map<TopicPartition, TreeMap<Long, Long>> handledBefore = new HashMap<>();

    void start(TopicPartition tp, long nextOffset, long endOffset) {
        next.merge(tp, nextOffset, Math::max); // records of a partition added at run time may arrive first
        end.put(tp, endOffset);
    }

    /** Records a resumed checkpoint already handled above its commit offsets: {@link #advance} passes over them. */
    void handledBefore(List<OffsetRange> ranges) {
        ranges.forEach(r -> handledBefore.computeIfAbsent(new TopicPartition(r.topic(), r.partition()),
                k -> new TreeMap<>()).put(r.from(), r.to()));
    }

    /**
     * A record was delivered.
     *
     * @return true when a resumed checkpoint already handled it: it must not be trained or dead-lettered again
     */
    boolean advance(TopicPartition tp, long recordOffset) {
        moveTo(tp, recordOffset);
        next.merge(tp, recordOffset + 1, Math::max);
        TreeMap<Long, Long> ranges = handledBefore.get(tp);
        if (ranges == null) {
            return false;
        }
        var range = ranges.floorEntry(recordOffset);
        ranges.headMap(recordOffset, true).values().removeIf(to -> to < recordOffset); // ranges behind us
        if (ranges.isEmpty()) {
            handledBefore.remove(tp);
        }
        return range != null && recordOffset <= range.getValue();
    }

    /** Partitions whose next offset is still below their end: their position is worth asking for. */
    List<TopicPartition> behindEnd() {
        List<TopicPartition> out = new ArrayList<>();
        end.forEach((tp, e) -> {
            if (next.getOrDefault(tp, 0L) < e) {
                out.add(tp);
            }
        });
        return out;
    }

    /** Asks the consumer where each partition short of its end is ({@link #positioned}); {@code then} after each. */
    void probeEnds(io.vertx.kafka.client.consumer.KafkaConsumer<?, ?> consumer, Runnable then) {
        behindEnd().forEach(tp -> consumer.position(tp).onSuccess(at -> {
            positioned(tp, at);
            then.run();
        }));
    }

    /**
     * The consumer's position in a partition, asked every reporting interval: it passes over offsets no record was
     * delivered for (transaction markers, aborted or compacted records). A position is trusted only when it is the
     * same as at the previous ask and no record was delivered in between: records a poll returned are delivered
     * within milliseconds, so none can still be on its way.
     */
    void positioned(TopicPartition tp, long position) {
        long delivered = next.getOrDefault(tp, 0L);
        long[] previous = asked.put(tp, new long[] {delivered, position});
        if (previous != null && previous[0] == delivered && previous[1] == position) {
            moveTo(tp, position);
        }
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
