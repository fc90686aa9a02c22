package dev.streamtrain.core.events;

/**
 * What the trainer consumed from one partition: an audit that every record was trained exactly once.
 *
 * @param topic topic
 * @param partition partition
 * @param records records trained
 * @param deadLettered records rejected to the dead-letter topic (handled, not trained)
 * @param skipped records read and recognised as not data, e.g. CSV header lines (handled, not trained)
 * @param duplicates records seen again after being trained (should be 0)
 * @param firstOffset lowest offset trained (-1 if none)
 * @param lastOffset highest offset trained (-1 if none)
 */
public record PartitionProgress(String topic, int partition, long records, long deadLettered, long skipped,
        long duplicates,
        long firstOffset,
        long lastOffset) {
}
