package dev.streamtrain.core.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers that say where a dead letter came from and why, added to the record's own headers by every writer of
 * a dead-letter topic (ingest's rejected records, deploy's unreadable inference requests): {@code st-source-topic},
 * {@code st-source-partition}, {@code st-source-offset}, {@code st-error-class} (the reason code) and
 * {@code st-error-message} (what exactly is wrong, in the product's words).
 */
public final class DeadLetterHeaders {
    private DeadLetterHeaders() {
    }

    /** The headers, in that order; a null message is written empty. */
    public static Map<String, String> of(String topic, int partition, long offset, String reason, String message) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("st-source-topic", topic);
        h.put("st-source-partition", Integer.toString(partition));
        h.put("st-source-offset", Long.toString(offset));
        h.put("st-error-class", reason);
        h.put("st-error-message", message == null ? "" : message);
        return h;
    }
}
