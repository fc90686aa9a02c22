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
 * contiguous handled run from where ingest started reading ({@link #started}): a record still on its way (a
 * dead-letter write not yet acknowledged, examples waiting to be assembled) holds it back, so a crash can repeat
 * records but never skip one. The handled prefix is dropped once it is long, so an endless run needs bounded memory.
 */
final class OffsetLedger {
    /** A handled prefix longer than this is dropped from the bit set: an endless run keeps a bounded window. */
    static final int COMPACT_AFTER = 1 << 16;
    /** Handled offsets kept below the first unhandled one after compaction, at least. */
    static final int KEEP_TAIL = 1 << 14;

    private final int keepTail;
    private final int compactAfter;

    /** A ledger that keeps the default tail. */
    OffsetLedger() {
        this(KEEP_TAIL);
    }

    /**
     * @param keepTail handled offsets kept below the first unhandled one when the prefix is dropped: at least the
     *     records a rollback can undo, so it can still un-train them
     */
    OffsetLedger(long keepTail) {
        this.keepTail = (int) Math.min(1 << 24, Math.max(KEEP_TAIL, keepTail));
        this.compactAfter = Math.max(COMPACT_AFTER, 4 * this.keepTail);
    }

    private final Map<String, Partition> partitions = new TreeMap<>();
    private final Provenance provenance = new Provenance();

    /** What was handled since the parent checkpoint, for the next checkpoint's manifest. */
    Provenance provenance() {
        return provenance;
    }

    private static final class Partition {
        final String topic;
        final int partition;
        long base;
        BitSet seen = new BitSet();
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

    /**
     * Takes a marker from ingest's queue: where a partition starts, or a record dead-lettered or skipped.
     *
     * @return true when the marker stands for a handled record (dead-lettered or skipped)
     */
    boolean mark(dev.streamtrain.core.batch.BatchQueueItem item) {
        if (item instanceof dev.streamtrain.core.batch.PartitionStarted start) {
            started(start.topic(), start.partition(), start.offset());
        } else if (item instanceof dev.streamtrain.core.batch.DeadLettered rejected) {
            notTrained(rejected.source(), Handling.DEAD_LETTERED);
            return true;
        } else if (item instanceof dev.streamtrain.core.batch.Skipped notData) {
            notTrained(notData.source(), Handling.SKIPPED);
            return true;
        }
        return false;
    }

    /** A record ingest dead-lettered or skipped: handled, not trained. */
    void notTrained(OffsetRange source, Handling how) {
        mark(List.of(source), how);
    }

    /**
     * Ingest starts reading a partition here: offsets are counted from it (so the commit cannot pass an offset that
     * has not arrived yet, whatever overtakes it). If records of the partition arrived first, the window is extended
     * down to it.
     */
    void started(String topic, int partition, long offset) {
        Partition p = partitions.computeIfAbsent(topic + "-" + partition, k -> new Partition(topic, partition, offset));
        if (offset > p.base) { // a resumed partition whose records below the start are gone (retention)
            p.seen.set(0, Math.toIntExact(Math.min(offset - p.base, Integer.MAX_VALUE - 1)));
        } else if (offset < p.base) {
            int shift = Math.toIntExact(p.base - offset);
            BitSet moved = new BitSet();
            p.seen.stream().forEach(bit -> moved.set(bit + shift));
            p.seen = moved;
            p.base = offset;
        }
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
                provenance.add(p.topic, p.partition, o, how == Handling.TRAINED);
                switch (how) {
                    case DEAD_LETTERED -> p.deadLettered++;
                    case SKIPPED -> p.skipped++;
                    default -> p.records++;
                }
                p.first = Math.min(p.first, o);
                p.last = Math.max(p.last, o);
            }
            compact(p);
        }
    }

    /**
     * Records trained earlier whose update a rollback undid: unhandled again until they are dead-lettered or
     * retrained (offsets already compacted away stay counted as handled).
     */
    void untrain(List<OffsetRange> sources) {
        for (OffsetRange r : sources) {
            Partition p = partitions.get(r.topic() + "-" + r.partition());
            if (p == null) {
                continue;
            }
            for (long o = r.from(); o <= r.to(); o++) {
                int bit = Math.toIntExact(o - p.base);
                if (bit >= 0 && p.seen.get(bit)) {
                    p.seen.clear(bit);
                    p.records--;
                }
            }
        }
    }

    /** Drops a long handled prefix: offsets below the base count as already handled (a repeat is a duplicate). */
    private void compact(Partition p) {
        int handled = p.seen.nextClearBit(0);
        if (handled > compactAfter) {
            int drop = handled - keepTail;
            p.seen = p.seen.get(drop, Math.max(drop, p.seen.length()));
            p.base += drop;
        }
    }

    /** Next offsets to commit: the end of the contiguous handled run of each partition. */
    List<PartitionOffset> nextOffsets() {
        List<PartitionOffset> out = new ArrayList<>();
        partitions.values().forEach(p -> out.add(new PartitionOffset(p.topic, p.partition,
                p.base + p.seen.nextClearBit(0))));
        return out;
    }

    /**
     * Where training stands: the commit offsets and, above them, the ranges of records already handled (trained,
     * dead-lettered or skipped while an earlier record was still on its way), for a checkpoint to record.
     */
    dev.streamtrain.core.events.TrainingPosition position() {
        List<OffsetRange> above = new ArrayList<>();
        for (Partition p : partitions.values()) {
            for (int from = p.seen.nextSetBit(p.seen.nextClearBit(0)); from >= 0;
                    from = p.seen.nextSetBit(p.seen.nextClearBit(from))) {
                above.add(new OffsetRange(p.topic, p.partition, p.base + from, p.base + p.seen.nextClearBit(from) - 1));
            }
        }
        return new dev.streamtrain.core.events.TrainingPosition(nextOffsets(), above);
    }

    /**
     * Adopts a resumed checkpoint's position: below each commit offset and inside the ranges above it, records count
     * as handled by an earlier run (a repeat is a duplicate; they are not in this run's audit counts).
     */
    void restore(dev.streamtrain.core.events.TrainingPosition position) {
        partitions.clear();
        position.offsets().forEach(o -> partitions.put(o.topic() + "-" + o.partition(),
                new Partition(o.topic(), o.partition(), o.nextOffset())));
        for (OffsetRange r : position.handledAbove()) {
            Partition p = partitions.get(r.topic() + "-" + r.partition());
            if (p != null && r.from() >= p.base) {
                p.seen.set(Math.toIntExact(r.from() - p.base), Math.toIntExact(r.to() - p.base + 1));
            }
        }
    }

    /** Bits held for a partition ("topic-partition") now: the window past the dropped prefix. */
    int windowBits(String topicPartition) {
        Partition p = partitions.get(topicPartition);
        return p == null ? 0 : p.seen.length();
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
