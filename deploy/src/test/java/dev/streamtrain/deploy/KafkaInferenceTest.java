package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ReferenceForward;
import dev.streamtrain.core.wire.Safetensors;
import dev.streamtrain.core.wire.Tensor;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests on a topic answered on another, on a real broker: key and headers kept, bad requests dead-lettered. */
class KafkaInferenceTest {
    @TempDir
    Path dir;

    @Test
    void answersRequestsFromATopicOnAnotherAndDeadLettersTheUnreadable() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
            String servers = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(List.of(new NewTopic("req", 1, (short) 1), new NewTopic("resp", 1, (short) 1),
                        new NewTopic("dlq", 1, (short) 1))).all().get();
            }
            ModelSnapshot s = DeployTest.randomSnapshot("relu", 1);
            ServedModel model = new ServedModel("v000000001", 1, 3, "softmax",
                    new OnnxModel(OnnxExporter.export(s, "test"), 5), null, 0, "");
            Vertx vertx = Vertx.vertx();
            try {
                vertx.deployVerticle(new KafkaInference("req", "resp", "dlq", Map.of("bootstrap.servers", servers,
                        "group.id", "inference", "key.deserializer", ByteArrayDeserializer.class.getName(),
                        "value.deserializer", ByteArrayDeserializer.class.getName(), "auto.offset.reset", "earliest",
                        "enable.auto.commit", "false"), servers, Map.of(), () -> model)).await(60, TimeUnit.SECONDS);
                float[] x = DeployTest.gauss(new Random(2), 3 * 5);
                try (var producer = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", servers,
                        "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
                    var json = new ProducerRecord<>("req", bytes("k1"), bytes("{\"rows\": [["
                            + x[0] + ", " + x[1] + ", " + x[2] + ", " + x[3] + ", " + x[4] + "]]}"));
                    json.headers().add("trace", bytes("abc"));
                    producer.send(json).get();
                    var tensors = new ProducerRecord<>("req", bytes("k2"), Safetensors.encode(Map.of("x",
                            Tensor.ofFloats(new long[] {3, 5}, x))));
                    tensors.headers().add("content-type", bytes("application/octet-stream"));
                    producer.send(tensors).get();
                    producer.send(new ProducerRecord<>("req", bytes("k3"), bytes("not json"))).get();
                }
                List<ConsumerRecord<byte[], byte[]>> answers = read(servers, "resp", 2);
                assertEquals(List.of("k1", "k2"), answers.stream().map(r -> text(r.key())).toList());
                assertEquals("abc", text(answers.get(0).headers().lastHeader("trace").value()), "headers kept");
                assertEquals("v000000001", text(answers.get(1).headers().lastHeader("st-model-version").value()));
                JsonArray probs = new JsonObject(text(answers.get(1).value())).getJsonArray("probabilities");
                float[] expected = ReferenceForward.probabilities(s, x, 3);
                assertEquals(3, probs.size());
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(expected[r * 3 + c], probs.getJsonArray(r).getFloat(c), 1e-6);
                    }
                }
                ConsumerRecord<byte[], byte[]> bad = read(servers, "dlq", 1).get(0);
                assertEquals("k3", text(bad.key()));
                assertEquals("inference_bad_request", text(bad.headers().lastHeader("st-error-class").value()));
                assertTrue(text(bad.headers().lastHeader("st-error-message").value())
                        .startsWith("the body is not a JSON object"));
                assertEquals("2", text(bad.headers().lastHeader("st-source-offset").value()));
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    long committed = -1;
                    while (committed < 3 && System.nanoTime() < deadline) {
                        var offsets = admin.listConsumerGroupOffsets("inference").partitionsToOffsetAndMetadata()
                                .get().get(new TopicPartition("req", 0));
                        committed = offsets == null ? -1 : offsets.offset();
                        Thread.sleep(50);
                    }
                    assertEquals(3, committed, "every request answered is committed");
                }
            } finally {
                vertx.close().await(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String servers, String topic, int n) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", servers,
                "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class))) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            assertEquals(n, out.size(), "records on " + topic);
            return out;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
