package dev.streamtrain.deploy;

import dev.streamtrain.core.kafka.DeadLetterHeaders;
import dev.streamtrain.core.kafka.ProducerSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka-in, Kafka-out inference: each record on the request topic (a body as {@code POST /v1/predict} takes: JSON
 * rows, or a safetensors / npz batch) is answered on the response topic with the same reply JSON, under the request's
 * key, with its headers and {@value #VERSION_HEADER}. A request that cannot be read goes to the dead-letter topic with
 * {@code st-error-class: inference_bad_request}, {@code st-error-message} and the {@code st-source-*} headers; while
 * nothing is served yet, requests are answered with {@code {"error": ...}}. Requests are handled one at a time, in
 * order; the group's offset is committed after each answer is acknowledged (at least once: a crash answers the last
 * requests again). The model runs off the event loop; sends do not block it.
 */
public final class KafkaInference extends VerticleBase {
    static final String VERSION_HEADER = "st-model-version";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaInference.class);
    private final String requestTopic;
    private final String responseTopic;
    private final String deadLetterTopic;
    private final Map<String, String> consumerConfig;
    private final Map<String, String> producerConfig;
    private final Supplier<ServedModel> serving;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private Future<?> last = Future.succeededFuture();
    private int waiting;

    /**
     * @param requestTopic where requests arrive
     * @param responseTopic where answers go
     * @param deadLetterTopic where unreadable requests go
     * @param consumerConfig consumer properties, with the group that commits the requests answered
     * @param bootstrapServers the cluster, for the producer
     * @param producerSettings the user's producer settings
     * @param serving the model serving now (null: none yet)
     */
    public KafkaInference(String requestTopic, String responseTopic, String deadLetterTopic,
            Map<String, String> consumerConfig, String bootstrapServers, Map<String, String> producerSettings,
            Supplier<ServedModel> serving) {
        this.requestTopic = requestTopic;
        this.responseTopic = responseTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.consumerConfig = consumerConfig;
        this.producerConfig = ProducerSettings.of(bootstrapServers, Map.of("acks", "all"), producerSettings);
        this.serving = serving;
    }

    @Override
    public Future<?> start() {
        producer = KafkaProducer.create(vertx, producerConfig);
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, byte[].class);
        consumer.exceptionHandler(e -> LOG.error("reading inference requests from {} failed: {}", requestTopic,
                ExportFailures.describe(e)));
        consumer.handler(record -> {
            if (++waiting >= 64) {
                consumer.pause(); // in order, one at a time: the rest waits in Kafka
            }
            last = last.transform(ar -> answer(record)).onComplete(ar -> {
                if (--waiting < 32) {
                    consumer.resume();
                }
            });
        });
        return consumer.subscribe(requestTopic);
    }

    private Future<Void> answer(KafkaConsumerRecord<byte[], byte[]> request) {
        ServedModel model = serving.get();
        Future<KafkaProducerRecord<byte[], byte[]>> reply;
        if (model == null) {
            reply = Future.succeededFuture(response(request, new JsonObject().put("error",
                    "no verified model is being served yet"), null));
        } else {
            reply = vertx.executeBlocking(() -> predict(request, model)).recover(e -> Future.succeededFuture(
                    e instanceof PredictJson.BadRequest bad ? deadLetter(request, bad.getMessage())
                            : response(request, new JsonObject().put("error", "the model failed to run on this"
                                    + " request"), null)));
        }
        return reply.compose(producer::send).compose(meta -> consumer.commit(Map.of(
                new TopicPartition(request.topic(), request.partition()),
                new OffsetAndMetadata(request.offset() + 1, "")))).onFailure(e -> LOG.error(
                        "answering {}-{}@{} failed: it is answered again after a restart ({})", request.topic(),
                        request.partition(), request.offset(), ExportFailures.describe(e))).mapEmpty();
    }

    /** Blocking: reads the request, runs the model serving now. */
    private KafkaProducerRecord<byte[], byte[]> predict(KafkaConsumerRecord<byte[], byte[]> request,
            ServedModel model) throws Exception {
        byte[] body = request.value() == null ? new byte[0] : request.value();
        int width = model.onnx().inputs();
        PredictJson.Rows rows = PredictTensors.isTensors(header(request, "content-type"), body)
                ? PredictTensors.read(body, width) : PredictJson.read(Buffer.buffer(body), width);
        ServedModel answering = model;
        while (!answering.onnx().acquire()) {
            answering = serving.get(); // swapped out since: the one serving now answers
        }
        try {
            float[] out = answering.onnx().predict(rows.x(), rows.rows());
            int bad = PredictJson.firstNonFiniteRow(out, answering.classes());
            JsonObject json = bad >= 0 ? new JsonObject().put("error", "row " + bad + " makes the model's output not"
                    + " finite; nothing was predicted") : PredictJson.predictions(answering, out, rows.rows());
            return response(request, json, answering.version());
        } finally {
            answering.onnx().release();
        }
    }

    private KafkaProducerRecord<byte[], byte[]> response(KafkaConsumerRecord<byte[], byte[]> request,
            JsonObject json, String version) {
        KafkaProducerRecord<byte[], byte[]> r = KafkaProducerRecord.create(responseTopic, request.key(),
                json.toBuffer().getBytes());
        request.headers().forEach(h -> r.addHeader(h.key(), h.value()));
        if (version != null) {
            r.addHeader(VERSION_HEADER, version);
        }
        return r;
    }

    private KafkaProducerRecord<byte[], byte[]> deadLetter(KafkaConsumerRecord<byte[], byte[]> request,
            String why) {
        LOG.warn("inference request {}-{}@{} dead-lettered: {}", request.topic(), request.partition(),
                request.offset(), why);
        KafkaProducerRecord<byte[], byte[]> r = KafkaProducerRecord.create(deadLetterTopic, request.key(),
                request.value());
        request.headers().forEach(h -> r.addHeader(h.key(), h.value()));
        DeadLetterHeaders.of(request.topic(), request.partition(), request.offset(), "inference_bad_request", why)
                .forEach(r::addHeader);
        return r;
    }

    private static String header(KafkaConsumerRecord<byte[], byte[]> record, String name) {
        String value = null;
        for (var h : record.headers()) {
            if (h.key().equalsIgnoreCase(name)) {
                value = h.value().toString();
            }
        }
        return value;
    }

    @Override
    public Future<?> stop() {
        return last.eventually(() -> Future.all(consumer == null ? Future.succeededFuture() : consumer.close(),
                producer == null ? Future.succeededFuture() : producer.close()));
    }
}
