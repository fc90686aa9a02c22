package dev.streamtrain.core.batch;

/**
 * The Kafka records a minibatch came from: offsets {@code from..to} (inclusive) of one partition.
 *
 * @param topic source topic
 * @param partition source partition
 * @param from first offset included
 * @param to last offset included
 */
public record OffsetRange(String topic, int partition, long from, long to) {
    public OffsetRange {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("bad offset range " + from + ".." + to);
        }
    }

    /** A range holding one record. */
    public static OffsetRange single(String topic, int partition, long offset) {
        return new OffsetRange(topic, partition, offset, offset);
    }

    /** Number of records in the range. */
    public long count() {
        return to - from + 1;
    }
}
