package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.events.PartitionOffset;
import dev.streamtrain.core.events.PartitionProgress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which Kafka records the trainer has handled (trained, or dead-lettered by ingest), per partition: the next offset
 * to commit and an exactly-once audit (records, dead-lettered, duplicates, lowest and highest offset). Offsets are
 * kept in a bit set relative to the first one seen, one bit per record. The offset to commit is the end of the
 * contiguous handled run: a record still on its way (a dead-letter write not yet acknowledged) holds it back, so a
 * crash can repeat records but never skip one.
 */
final class OffsetLedger {
    private final Map<String, Partition> partitions = new TreeMap<>();

    private static final class Partition {
        final String topic;
        final int partition;
        final long base;
        final BitSet seen = new BitSet();
        long records;
        long deadLettered;
        long skipped;
        long duplicates;
        long first = Long.MAX_VALUE;
        long last = -1;

        Partition(String topic, int partition, long base) {
            this.topic = topic;
            this.partition = partition;
            this.base = base;
        }
    }

    /** How a record was handled. */
    enum Handling { TRAINED, DEAD_LETTERED, SKIPPED }

    void record(List<OffsetRange> sources) {
        mark(sources, Handling.TRAINED);
    }

    /** A record ingest dead-lettered or skipped: handled, not trained. */
    void notTrained(OffsetRange source, Handling how) {
        mark(List.of(source), how);
    }

    private void mark(List<OffsetRange> sources, Handling how) {
        for (OffsetRange r : sources) {
            Partition p = partitions.computeIfAbsent(r.topic() + "-" + r.partition(),
                    k -> new Partition(r.topic(), r.partition(), r.from()));
            for (long o = r.from(); o <= r.to(); o++) {
                int bit = Math.toIntExact(o - p.base);
                if (bit < 0 || p.seen.get(bit)) {
                    p.duplicates++;
                    continue;
                }
                p.seen.set(bit);
                switch (how) {
                    case DEAD_LETTERED -> p.deadLettered++;
                    case SKIPPED -> p.skipped++;
                    default -> p.records++;
                }
                p.first = Math.min(p.first, o);
                p.last = Math.max(p.last, o);
            }
        }
    }

    /** Next offsets to commit: the end of the contiguous handled run of each partition. */
    List<PartitionOffset> nextOffsets() {
        List<PartitionOffset> out = new ArrayList<>();
        partitions.values().forEach(p -> out.add(new PartitionOffset(p.topic, p.partition,
                p.base + p.seen.nextClearBit(0))));
        return out;
    }

    /** The exactly-once audit per partition. */
    List<PartitionProgress> progress() {
        List<PartitionProgress> out = new ArrayList<>();
        partitions.values().forEach(p -> out.add(new PartitionProgress(p.topic, p.partition, p.records,
                p.deadLettered, p.skipped, p.duplicates, p.records + p.deadLettered + p.skipped == 0 ? -1 : p.first,
                p.last)));
        return out;
    }
}
