package dev.streamtrain.app;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import dev.streamtrain.core.kafka.ProducerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the facts published on the event bus to Kafka as JSON events, keyed by job name: metrics, checkpoints,
 * training and deployment outcomes to {@code <job>.metrics}; alerts to {@code <job>.alerts}. Dashboards and other
 * services consume those topics; modules never talk to Kafka for this themselves.
 */
public final class EventBridge extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EventBridge.class);
    private final String job;
    private final String bootstrapServers;
    private final Map<String, String> producerSettings;
    private final int logEvery;
    private KafkaProducer<byte[], byte[]> producer;
    private final java.util.List<io.vertx.core.eventbus.MessageConsumer<StreamEvent>> consumers = new java.util.ArrayList<>();

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
        Map<String, Object> p = new HashMap<>(ProducerSettings.of(bootstrapServers, Map.of("linger.ms", "20"),
                producerSettings));
        return vertx.executeBlocking(() -> new KafkaProducer<byte[], byte[]>(p)).map(created -> {
            producer = created;
            forward(Addresses.STEP_METRICS, metricsTopic(job), e -> ((StepMetrics) e).update() % logEvery == 0
                    || !Double.isFinite(((StepMetrics) e).loss()));
            for (String address : new String[] {Addresses.VALIDATION_METRICS, Addresses.LR_CHANGED,
                    Addresses.INGEST_METRICS, Addresses.INGEST_FAILED, Addresses.UPDATE_REJECTED, Addresses.ROLLED_BACK,
                    Addresses.CHECKPOINT_SAVED, Addresses.TRAINING_FINISHED, Addresses.MODEL_DEPLOYED}) {
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
            producer.send(new ProducerRecord<>(topic, key, Events.toJson(m.body()).getBytes(StandardCharsets.UTF_8)),
                    (meta, error) -> {
                        if (error != null) {
                            LOG.warn("could not forward {} to {}: {}", m.body().eventType(), topic,
                                    error.getMessage());
                        }
                    });
        }));
    }

    @Override
    public Future<?> stop() {
        // stop taking events first: other verticles may still publish while Vert.x shuts down
        Future<?> unregistered = Future.all(consumers.stream().map(c -> (Future<?>) c.unregister()).toList());
        return producer == null ? unregistered : unregistered.eventually(() -> vertx.executeBlocking(() -> {
            producer.close(java.time.Duration.ofSeconds(5));
            return null;
        }));
    }
}
