package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.MiniBatch;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.apache.kafka.common.header.Header;
import java.nio.charset.StandardCharsets;

/**
 * When a record was produced, for freshness (the age of an example when an update applies it): the
 * {@value MiniBatch#PRODUCED_AT} header (epoch milliseconds as decimal text) when the producer stamped one, else the
 * record's Kafka timestamp (the producer's create time, or the broker's append time on a topic configured so).
 */
public final class ProducedAt {
    private ProducedAt() {
    }

    /** Epoch milliseconds, or -1 when the record carries no usable time. */
    static long of(KafkaConsumerRecord<?, ?> record) {
        return of(record.record().headers(), record.timestamp());
    }

    /**
     * The same for a plain Kafka client's record: its headers and timestamp.
     *
     * @return epoch milliseconds, or -1 when neither tells
     */
    public static long of(org.apache.kafka.common.header.Headers headers, long timestamp) {
        Header h = headers.lastHeader(MiniBatch.PRODUCED_AT); // Kafka's rule: the last one wins
        if (h != null && h.value() != null) {
            try {
                return Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                // a header in another format: the record's own timestamp still tells
            }
        }
        return timestamp >= 0 ? timestamp : -1;
    }
}
