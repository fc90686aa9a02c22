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
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.QuarantineRequest;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.kafka.ProducerSettings;
import io.vertx.core.eventbus.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes rejected records to the dead-letter topic: the original key and value, the original headers, and
 * {@code st-source-topic}, {@code st-source-partition}, {@code st-source-offset}, {@code st-error-class},
 * {@code st-error-message} and {@code st-first-seen} (epoch millis). Counts them by reason. The returned future
 * completes when the broker has acknowledged the copy (acks=all), and only then may the offset be committed.
 *
 * <p>Writes never wait on the event loop (the Vert.x producer sends on a worker); while the broker is away they wait
 * in the producer, and past {@value #MAX_IN_FLIGHT} of them the reader is told to pause ({@link #onBacklog}).
 *
 * <p>Each rejected record is logged with its reason: the first ten of a reason, then every thousandth, so a flood of
 * bad records does not flood the log.
 */
public final class DeadLetterPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Map<String, AtomicLong> byReason = new ConcurrentHashMap<>();
    /** Writes not yet acknowledged, at most: beyond, {@link #onBacklog}'s full handler runs (reading pauses). */
    static final int MAX_IN_FLIGHT = 1000;
    private int inFlight;
    private Runnable full = () -> { };
    private Runnable drained = () -> { };
    private Runnable settled = () -> { };

    public DeadLetterPublisher(Vertx vertx, String bootstrapServers, Map<String, String> producerSettings,
            String topic) {
        this.producer = KafkaProducer.create(vertx, ProducerSettings.of(bootstrapServers, Map.of("acks", "all",
                "max.request.size", String.valueOf(64 * 1024 * 1024)), producerSettings));
        this.topic = topic;
    }

    /**
     * Sends a copy of a record of the training reader, whose values are views of the consumer's fetch buffer: the
     * copy holds the value's own bytes, so nothing of the fetch buffer waits with it for the broker.
     */
    public Future<Void> publishView(KafkaConsumerRecord<byte[], java.nio.ByteBuffer> record, String reason,
            String message) {
        return publish(record, dev.streamtrain.core.wire.Bytes.of(record.value()), reason, message);
    }

    /** Sends the record's copy (its key, value and headers as read); completes when it is durable. */
    public Future<Void> publish(KafkaConsumerRecord<byte[], byte[]> record, String reason, String message) {
        return publish(record, record.value(), reason, message);
    }

    private Future<Void> publish(KafkaConsumerRecord<byte[], ?> record, byte[] value, String reason, String message) {
        long seen = count(reason).incrementAndGet();
        if (seen <= 10 || seen % 1000 == 0) {
            LOG.warn("dead-lettering {}-{}@{} ({}, #{} of this reason): {}", record.topic(), record.partition(),
                    record.offset(), reason, seen, message);
        }
        KafkaProducerRecord<byte[], byte[]> copy = KafkaProducerRecord.create(topic, record.key(), value);
        copy.addHeaders(record.headers());
        dev.streamtrain.core.kafka.DeadLetterHeaders.of(record.topic(), record.partition(), record.offset(), reason,
                message).forEach(copy::addHeader);
        copy.addHeader("st-first-seen", Long.toString(System.currentTimeMillis()));
        return tracked(producer.send(copy).mapEmpty());
    }

    /**
     * Runs {@code full} when {@value #MAX_IN_FLIGHT} writes wait for the broker (an outage: dead letters must not pile
     * up in memory), {@code drained} when half of them are done, and {@code settled} after each quarantine write
     * ({@link #serveQuarantine}) is done and answered. All on the caller's context.
     */
    public void onBacklog(Runnable full, Runnable drained, Runnable settled) {
        this.full = full;
        this.drained = drained;
        this.settled = settled;
    }

    /** Writes not yet acknowledged (or failed). */
    public int inFlight() {
        return inFlight;
    }

    /** True while too many writes wait: see {@link #onBacklog}. */
    public boolean backlogged() {
        return inFlight >= MAX_IN_FLIGHT;
    }

    private Future<Void> tracked(Future<Void> write) {
        if (++inFlight == MAX_IN_FLIGHT) {
            full.run();
        }
        return write.andThen(done -> {
            if (inFlight-- == MAX_IN_FLIGHT / 2 + 1) {
                drained.run();
            }
        });
    }

    /**
     * Writes a minibatch the trainer did not train (a guard refused it, or a rollback undid it): one record whose
     * value is the minibatch as a safetensors document, with {@code st-source-topic}, {@code st-source-partition},
     * {@code st-source-offset} (first offset) and {@code st-source-offset-last}, {@code st-source-ranges} (every
     * {@code topic:partition:from-to}), {@code st-error-class} (the reason) and {@code st-error-message}.
     */
    public Future<Void> publish(QuarantineRequest request) {
        long records = request.sources().stream().mapToLong(OffsetRange::count).sum();
        KafkaProducerRecord<byte[], byte[]> copy = KafkaProducerRecord.create(topic, null, request.value());
        OffsetRange first = request.sources().get(0);
        String ranges = request.sources().stream().map(r -> r.topic() + ":" + r.partition() + ":" + r.from() + "-"
                + r.to()).collect(java.util.stream.Collectors.joining(","));
        copy.addHeader("st-source-topic", first.topic())
                .addHeader("st-source-partition", Integer.toString(first.partition()))
                .addHeader("st-source-offset", Long.toString(first.from()))
                .addHeader("st-source-offset-last", Long.toString(first.to()))
                .addHeader("st-source-ranges", ranges)
                .addHeader("st-error-class", request.reason())
                .addHeader("st-error-message", request.message())
                .addHeader("st-first-seen", Long.toString(System.currentTimeMillis()));
        return tracked(producer.send(copy).onSuccess(written -> count(request.reason()).addAndGet(records))
                .mapEmpty());
    }

    /**
     * Serves {@link Addresses#INGEST_QUARANTINE}: each request is written and answered (with the number of records)
     * once the broker acknowledged it, or failed with the reason.
     */
    public void serveQuarantine(EventBus bus) {
        bus.<QuarantineRequest>consumer(Addresses.INGEST_QUARANTINE, msg -> publish(msg.body()).onComplete(ar -> {
            if (ar.succeeded()) {
                msg.reply(msg.body().sources().stream().mapToLong(OffsetRange::count).sum());
            } else {
                msg.fail(500, "dead-letter write failed: " + ar.cause().getMessage());
            }
            settled.run();
        }));
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
