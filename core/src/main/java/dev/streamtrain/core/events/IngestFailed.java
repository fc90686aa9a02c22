package dev.streamtrain.core.events;

/**
 * Ingest stopped at a bad record because the job's policy is {@code ingest.on-error: fail}; the record and
 * everything after it stay uncommitted.
 *
 * @param job job name
 * @param topic source topic
 * @param partition source partition
 * @param offset the bad record's offset
 * @param reason short reason code
 * @param message what exactly is wrong
 */
public record IngestFailed(String job, String topic, int partition, long offset, String reason, String message)
        implements StreamEvent {
    @Override
    public String eventType() {
        return "ingest_failed";
    }

    /** One line for the log and the command line. */
    public String describe() {
        return "ingest stopped (ingest.on-error: fail) at " + topic + "-" + partition + "@" + offset + ": " + reason
                + ": " + message;
    }
}
