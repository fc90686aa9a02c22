package dev.streamtrain.deploy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves what a trainer serves, on another machine: reads the job's {@link ModelRecords models topic} from its
 * beginning and hot-swaps to each version in turn ({@link ModelHttpServer#serve}, requests in flight finish on the
 * old session), so it serves the newest promotion or serving rollback and follows the ones after. Sessions are created
 * and warmed up off the event loop, one at a time; versions read while one loads are passed over but the newest
 * (catching up on a long topic loads the last version, not every one). Same HTTP API as the trainer's server.
 */
public final class ModelFollower extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFollower.class);
    private final String topic;
    private final Map<String, String> consumerConfig;
    private final String host;
    private final int port;
    private ModelHttpServer server;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Pending pending;
    private boolean loading;
    private int actualPort;

    /**
     * @param topic the models topic ({@link ModelRecords#topic})
     * @param consumerConfig consumer properties (bootstrap servers, byte-array deserializers; no group needed)
     * @param host HTTP bind address
     * @param port HTTP port (0: any free port)
     */
    public ModelFollower(String topic, Map<String, String> consumerConfig, String host, int port) {
        this.topic = topic;
        this.consumerConfig = consumerConfig;
        this.host = host;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        server = new ModelHttpServer(vertx);
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, byte[].class);
        consumer.exceptionHandler(e -> LOG.error("reading {} failed: {}", topic,
                dev.streamtrain.core.events.Failures.describe(e)));
        return server.listen(host, port).compose(p -> {
            actualPort = p;
            return consumer.partitionsFor(topic);
        }).compose(infos -> {
            if (infos.isEmpty()) {
                return Future.failedFuture("topic " + topic + " does not exist (yet): start the trainer first, or"
                        + " check --from-topic");
            }
            Set<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.getPartition()))
                    .collect(Collectors.toSet());
            // from the beginning: the newest version is the last record (the handler only after the seek, which
            // would otherwise deliver the first records twice)
            return consumer.assign(tps).compose(v -> consumer.seekToBeginning(tps))
                    .onSuccess(v -> consumer.handler(this::onRecord));
        }).onSuccess(v -> LOG.info("following {}; serving on http://{}:{} once a version arrives", topic, host,
                actualPort));
    }

    /** The port the model server listens on. */
    public int port() {
        return actualPort;
    }

    /** The version being served, or null. */
    public ServedModel serving() {
        return server == null ? null : server.current();
    }

    private void onRecord(KafkaConsumerRecord<byte[], byte[]> record) {
        ModelRecords.Served served;
        try {
            served = ModelRecords.read(name -> { // the last one wins, as Kafka's rule is
                var h = record.record().headers().lastHeader(name);
                return h == null ? null : h.value();
            }, record.value());
        } catch (ModelRecords.Unreadable e) {
            LOG.warn("{}-{}@{} skipped: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        boolean idle = pending == null && !loading;
        pending = new Pending(served, record.offset()); // catching up, only the newest is worth loading
        if (idle) {
            loadNext();
        }
    }

    /** A version read and not loaded yet. */
    private record Pending(ModelRecords.Served served, long offset) {
    }

    private void loadNext() {
        Pending next = pending;
        pending = null;
        if (next == null) {
            loading = false;
            return;
        }
        loading = true;
        ModelRecords.Served served = next.served();
        vertx.executeBlocking(() -> {
            OnnxModel model = new OnnxModel(served.onnx(), served.spec().inputs());
            model.predict(new float[served.spec().inputs()], 1); // warmed up before it takes requests
            return model;
        }).onSuccess(model -> {
            server.serve(new ServedModel(served.version(), served.updates(), served.spec().classes(),
                    served.spec().head(), model, served.validation(), served.parity(), topic + "@" + next.offset()));
            LOG.info("serving {} from {}@{}", served.version(), topic, next.offset());
        }).onFailure(e -> LOG.error("could not load {} from {}: the version before it keeps serving ({})",
                served.version(), topic, ExportFailures.describe(e))).onComplete(ar -> loadNext());
    }

    @Override
    public Future<?> stop() {
        Future<?> closing = consumer == null ? Future.succeededFuture() : consumer.close();
        return Future.all(closing, server == null ? Future.succeededFuture() : server.close());
    }
}
