package dev.streamtrain.deploy;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.core.events.ModelRolledBack;
import dev.streamtrain.core.kafka.ProducerSettings;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every version that starts serving (a promotion, or a serving rollback's target) to the job's
 * {@link ModelRecords#topic models topic}, in the order they started serving, so followers on other machines serve
 * the same. Reads the version's files off the event loop; the send does not block it. A failed send is logged and
 * the next version is still published (followers catch up with the newest).
 */
public final class ModelPublisher extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPublisher.class);
    private final String job;
    private final VersionStore store;
    private final Map<String, String> producerConfig;
    private KafkaProducer<byte[], byte[]> producer;
    private Future<?> last = Future.succeededFuture();

    /**
     * @param job job name (the record key and the topic's prefix)
     * @param modelsDir where {@link DeployVerticle} writes the versions
     * @param bootstrapServers the cluster
     * @param producerSettings the user's producer settings (applied last)
     */
    public ModelPublisher(String job, Path modelsDir, String bootstrapServers, Map<String, String> producerSettings) {
        this.job = job;
        this.store = new VersionStore(modelsDir);
        // a record of MAX_BYTES must fit the request and the producer's buffer (32 MiB by default), whatever the
        // user's tuning of the job's other producers says
        Map<String, String> p = new java.util.HashMap<>(ProducerSettings.of(bootstrapServers, Map.of("acks", "all"),
                producerSettings));
        p.put("max.request.size", String.valueOf(ModelRecords.MAX_BYTES + (1 << 20)));
        p.put("buffer.memory", String.valueOf(2L * ModelRecords.MAX_BYTES + (1 << 20)));
        this.producerConfig = Map.copyOf(p);
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        producer = KafkaProducer.create(vertx, producerConfig);
        vertx.eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> {
            if (m.body().promoted()) {
                publish(m.body().version());
            }
        });
        vertx.eventBus().<ModelRolledBack>consumer(Addresses.MODEL_ROLLED_BACK, m -> publish(m.body().toVersion()));
        return Future.succeededFuture();
    }

    private void publish(String version) {
        String topic = ModelRecords.topic(job);
        last = last.eventually(() -> vertx.executeBlocking(() -> record(topic, version))
                .compose(producer::send)
                .onSuccess(meta -> LOG.info("published {} to {} (offset {})", version, topic, meta.getOffset()))
                .onFailure(e -> LOG.error("could not publish {} to {}: followers keep the version before it ({})",
                        version, topic, dev.streamtrain.core.events.Failures.describe(e))));
    }

    private KafkaProducerRecord<byte[], byte[]> record(String topic, String version) throws Exception {
        Path dir = store.onnxPath(version).getParent();
        VersionStore.Info info = store.info(version);
        if (info == null) {
            throw new IllegalStateException(version + " is no longer on disk");
        }
        byte[] onnx = Files.readAllBytes(store.onnxPath(version));
        byte[] specJson = Files.readAllBytes(dir.resolve(ModelSnapshotFiles.SPEC_FILE)); // read once: shape and header
        var served = new ModelRecords.Served(version, info.updates(),
                ModelSnapshotFiles.spec(Events.mapper().readTree(specJson)), info.validation(), info.parityMaxAbsDiff(),
                onnx);
        KafkaProducerRecord<byte[], byte[]> record = KafkaProducerRecord.create(topic,
                job.getBytes(java.nio.charset.StandardCharsets.UTF_8), onnx);
        ModelRecords.headers(served, specJson)
                .forEach((k, v) -> record.addHeader(k, io.vertx.core.buffer.Buffer.buffer(v)));
        return record;
    }

    @Override
    public Future<?> stop() {
        return last.eventually(() -> producer == null ? Future.succeededFuture() : producer.close());
    }
}
