package dev.streamtrain.core.batch;

/**
 * Records ingest read and recognised as not data (a CSV header line, a held-out record), or offsets that hold no
 * record for the reader (a transaction marker, aborted or compacted records): the trainer counts them as handled, so
 * commits move past them; they are neither trained nor dead-lettered.
 *
 * @param source the record, or the run of offsets without a record
 * @param reason short reason code, e.g. {@code csv_header}, {@value #NO_RECORD}
 */
public record Skipped(OffsetRange source, String reason) implements BatchQueueItem {
    /** Offsets without a record: transaction markers, records of aborted transactions, compacted records. */
    public static final String NO_RECORD = "no_record";
}
