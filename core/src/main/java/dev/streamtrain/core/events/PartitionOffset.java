package dev.streamtrain.core.events;

/**
 * A position in a partition: the offset of the next record to read (Kafka's commit convention).
 *
 * @param topic topic
 * @param partition partition
 * @param nextOffset offset after the last record processed
 */
public record PartitionOffset(String topic, int partition, long nextOffset) {
}
