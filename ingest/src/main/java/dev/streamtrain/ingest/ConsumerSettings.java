package dev.streamtrain.ingest;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka consumer properties for StreamTrain's readers: byte-array records, manual commits, committed transactions
 * only ({@code isolation.level=read_committed}), large fetches for minibatch records, no topic created by reading it; the user's
 * {@code kafka.consumer.*} settings are applied last and win.
 */
public final class ConsumerSettings {
    /**
     * How long one poll of the training reader waits for records. Pausing and resuming partitions runs on the
     * consumer's thread after the poll in progress returns, so with Vert.x's 1 s default every resume at the queue's
     * low-water mark could leave the trainer waiting up to a second.
     */
    public static final java.time.Duration POLL_TIMEOUT = java.time.Duration.ofMillis(20);

    private ConsumerSettings() {
    }

    /**
     * @param bootstrapServers cluster
     * @param groupId consumer group for committed offsets, or null for a reader that never commits
     * @param userSettings pass-through settings from the job file
     */
    public static Map<String, String> of(String bootstrapServers, String groupId, Map<String, String> userSettings) {
        Map<String, String> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        // records of aborted (or still open) transactions are never trained nor counted as validation rows
        p.put("isolation.level", "read_committed");
        // minibatch records are tens of KB: fetch many per request
        p.put("max.partition.fetch.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("fetch.max.bytes", String.valueOf(64 * 1024 * 1024));
        // reading a misspelled topic must never create it (a broker's auto.create.topics.enable would)
        p.put("allow.auto.create.topics", "false");
        if (groupId != null) {
            p.put("group.id", groupId);
        }
        p.putAll(userSettings);
        return p;
    }
}
