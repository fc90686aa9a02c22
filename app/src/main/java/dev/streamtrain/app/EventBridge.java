package dev.streamtrain.app;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Failures;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import dev.streamtrain.core.kafka.ProducerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the facts published on the event bus to Kafka as JSON events, keyed by job name: metrics, checkpoints,
 * training and deployment outcomes to {@code <job>.metrics}; alerts to {@code <job>.alerts}. Dashboards and other
 * services consume those topics; modules never talk to Kafka for this themselves.
 *
 * <p>Nothing here blocks the event loop: records are handed to the Vert.x Kafka producer, which calls Kafka's
 * {@code send} (it can wait for metadata while the broker is away) on a worker thread. While Kafka is unreachable
 * the events wait, up to {@value #MAX_PENDING} of them, and are delivered after the outage (within Kafka's
 * {@code delivery.timeout.ms}); beyond that, or when a write finally fails, an event is counted as dropped, and once
 * writes succeed again a warning alert {@code events_dropped} says how many.
 */
public final class EventBridge extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EventBridge.class);
    private final String job;
    private final String bootstrapServers;
    private final Map<String, String> producerSettings;
    private final int logEvery;
    /** Events handed to the producer and not yet acknowledged, at most. */
    static final int MAX_PENDING = 10_000;
    private KafkaProducer<byte[], byte[]> producer;
    private int pending;
    private long dropped;
    private long droppedReported;
    private long lastUpdate = -1;
    private final java.util.List<io.vertx.core.eventbus.MessageConsumer<?>> consumers = new java.util.ArrayList<>();

    /**
     * @param logEvery step metrics go to Kafka every this many updates (the trainer publishes every update on the
     *     event bus for the monitor); a non-finite loss is always forwarded
     */
    public EventBridge(String job, String bootstrapServers, Map<String, String> producerSettings, int logEvery) {
        this.job = job;
        this.logEvery = logEvery;
        this.bootstrapServers = bootstrapServers;
        this.producerSettings = Map.copyOf(producerSettings);
    }

    /** Topic that receives metrics events. */
    public static String metricsTopic(String job) {
        return job + ".metrics";
    }

    /** Topic that receives alerts. */
    public static String alertsTopic(String job) {
        return job + ".alerts";
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        Map<String, String> p = ProducerSettings.of(bootstrapServers, Map.of("linger.ms", "20"), producerSettings);
        return vertx.executeBlocking(() -> KafkaProducer.<byte[], byte[]>create(vertx, p)).map(created -> {
            producer = created;
            byte[] key = job.getBytes(StandardCharsets.UTF_8);
            consumers.add(vertx.eventBus().<StepMetricsBatch>consumer(Addresses.STEP_METRICS, m -> {
                for (StepMetrics step : m.body().steps()) {
                    if (step.update() % logEvery == 0 || !Double.isFinite(step.loss())) {
                        lastUpdate = step.update();
                        send(metricsTopic(job), key, step);
                    }
                }
            }));
            for (String address : new String[] {Addresses.VALIDATION_METRICS, Addresses.LR_CHANGED,
                    Addresses.INGEST_METRICS, Addresses.INGEST_FAILED, Addresses.UPDATE_REJECTED, Addresses.ROLLED_BACK,
                    Addresses.CHECKPOINT_SAVED, Addresses.TRAINING_FINISHED, Addresses.MODEL_DEPLOYED,
                    Addresses.MODEL_PROMOTION, Addresses.MODEL_ROLLED_BACK, Addresses.LR_RANGE_FOUND}) {
                forward(address, metricsTopic(job), e -> true);
            }
            forward(Addresses.ALERTS, alertsTopic(job), e -> true);
            return null;
        });
    }

    private void forward(String address, String topic, java.util.function.Predicate<StreamEvent> which) {
        byte[] key = job.getBytes(StandardCharsets.UTF_8);
        consumers.add(vertx.eventBus().<StreamEvent>consumer(address, m -> {
            if (!which.test(m.body())) {
                return;
            }
            send(topic, key, m.body());
        }));
    }

    private void send(String topic, byte[] key, StreamEvent event) {
        send(KafkaProducerRecord.create(topic, key, Events.toJson(event).getBytes(StandardCharsets.UTF_8)),
                event.eventType());
    }

    /** Hands a record to the producer (never waits); counts it as dropped when too many wait or it fails. */
    private void send(KafkaProducerRecord<byte[], byte[]> record, String what) {
        if (pending >= MAX_PENDING) {
            if (dropped++ == droppedReported) { // once per stretch of drops
                LOG.warn("Kafka is not taking events ({} wait to be written): further events are dropped until it"
                        + " does", pending);
            }
            return;
        }
        pending++;
        producer.send(record).onComplete(ar -> {
            pending--;
            if (ar.failed()) {
                if (dropped++ == droppedReported) { // once per stretch of failures
                    LOG.warn("could not write {} to {}: {}", what, record.topic(), Failures.describe(ar.cause()));
                }
            } else if (dropped > droppedReported) {
                reportDropped();
            }
        });
    }

    /** Writes work again: says how many events were lost to the Kafka topics meanwhile. */
    private void reportDropped() {
        long lost = dropped - droppedReported;
        droppedReported = dropped;
        LOG.warn("{} events could not be written to Kafka while it was unreachable; they are missing from {}", lost,
                metricsTopic(job));
        vertx.eventBus().publish(Addresses.ALERTS, new Alert(job, "events_dropped", "warning", lost + " events could"
                + " not be written to Kafka while it was unreachable (at most " + MAX_PENDING + " wait); they are"
                + " missing from the " + metricsTopic(job) + " and " + alertsTopic(job) + " topics. Training is not"
                + " affected.", lastUpdate, lost, System.currentTimeMillis()));
    }

    /** Events dropped so far (not written to Kafka). */
    long dropped() {
        return dropped;
    }

    @Override
    public Future<?> stop() {
        // stop taking events first: other verticles may still publish while Vert.x shuts down
        Future<?> unregistered = Future.all(consumers.stream().map(c -> (Future<?>) c.unregister()).toList());
        if (dropped > droppedReported) { // an alert could not reach Kafka now: the log says it
            LOG.warn("{} events could not be written to Kafka; they are missing from {}", dropped - droppedReported,
                    metricsTopic(job));
        }
        return producer == null ? unregistered : unregistered.eventually(() -> producer.close(5_000));
    }
}
