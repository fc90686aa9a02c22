package dev.streamtrain.core.batch;

/**
 * A record ingest read and recognised as not data (a CSV header line): the trainer counts its offset as handled, so
 * commits move past it; it is neither trained nor dead-lettered.
 *
 * @param source the record
 * @param reason short reason code, e.g. {@code csv_header}
 */
public record Skipped(OffsetRange source, String reason) implements BatchQueueItem {
}
