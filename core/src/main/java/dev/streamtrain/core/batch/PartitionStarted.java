package dev.streamtrain.core.batch;

/**
 * Ingest starts reading a partition at {@code offset}, handed over before any of its records: the trainer's offset
 * ledger counts from here, so a record that overtakes an earlier one (a dead-letter marker while examples before it
 * still wait to be assembled) can never move the commit past offsets not yet handled.
 *
 * @param topic topic
 * @param partition partition
 * @param offset first offset ingest reads
 */
public record PartitionStarted(String topic, int partition, long offset) implements BatchQueueItem {
}
