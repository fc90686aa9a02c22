package dev.streamtrain.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import dev.streamtrain.core.kafka.ProducerSettings;

/**
 * Writes rejected records to the dead-letter topic: the original key and value, the original headers, and
 * {@code st-source-topic}, {@code st-source-partition}, {@code st-source-offset}, {@code st-error-class},
 * {@code st-error-message} and {@code st-first-seen} (epoch millis). Counts them by reason. The returned future
 * completes when the broker has acknowledged the copy (acks=all), and only then may the offset be committed.
 */
public final class DeadLetterPublisher {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Map<String, AtomicLong> byReason = new ConcurrentHashMap<>();

    public DeadLetterPublisher(Vertx vertx, String bootstrapServers, Map<String, String> producerSettings,
            String topic) {
        this.producer = KafkaProducer.create(vertx, ProducerSettings.of(bootstrapServers, Map.of("acks", "all",
                "max.request.size", String.valueOf(64 * 1024 * 1024)), producerSettings));
        this.topic = topic;
    }

    /** Sends the record's copy; completes when it is durable. */
    public Future<Void> publish(KafkaConsumerRecord<byte[], byte[]> record, String reason, String message) {
        count(reason).incrementAndGet();
        KafkaProducerRecord<byte[], byte[]> copy = KafkaProducerRecord.create(topic, record.key(), record.value());
        copy.addHeaders(record.headers());
        copy.addHeader("st-source-topic", record.topic())
                .addHeader("st-source-partition", Integer.toString(record.partition()))
                .addHeader("st-source-offset", Long.toString(record.offset()))
                .addHeader("st-error-class", reason)
                .addHeader("st-error-message", message == null ? "" : message)
                .addHeader("st-first-seen", Long.toString(System.currentTimeMillis()));
        return producer.send(copy).mapEmpty();
    }

    /** The counter of one reason. */
    private AtomicLong count(String reason) {
        return byReason.computeIfAbsent(reason, r -> new AtomicLong());
    }

    /** Dead-lettered records so far for one reason. */
    public long countOf(String reason) {
        return count(reason).get();
    }

    /** Dead-lettered records so far, by reason. */
    public Map<String, Long> countsByReason() {
        Map<String, Long> out = new HashMap<>();
        byReason.forEach((r, n) -> out.put(r, n.get()));
        return out;
    }

    public Future<Void> close() {
        return producer.close();
    }
}
