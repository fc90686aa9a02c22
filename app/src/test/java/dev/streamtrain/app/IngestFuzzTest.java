package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.wire.MiniBatchCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of records, a third of them mutated, through the embedded broker and the whole pipeline: nothing
 * crashes, every record is either trained or in the dead-letter topic with a reason, and the commit reaches the end.
 */
class IngestFuzzTest {
    private static final int RECORDS = 3000;
    private static final Set<String> REASONS = Set.of("empty_value", "too_large", "undecodable", "wrong_shape",
            "wrong_labels", "label_out_of_range", "non_finite_features", "non_finite_targets", "unexpected",
            "non_finite_loss", "non_finite_gradient");

    @Test
    void mutatedRecordsAreDeadLetteredAndTheRestTrained(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"))) {
            JobConfig cfg = JobConfigLoader.parse("""
                    job: fuzz
                    work-dir: %s
                    kafka: {bootstrap-servers: "%s"}
                    ingest: {stop-at-end: true, max-record-bytes: 4096}
                    # records of 4 rows: standardised digits in minibatches that small diverge at lr 0.05 (README)
                    optimizer: {name: SGD, params: {lr: 0.01, momentum: 0.9}}
                    training: {eval-every: 500}
                    serving: {port: 0}
                    # an ingest test: bit flips make real loss spikes, which must not roll back here
                    remediation: {actions: {loss_spike: none, non_finite_loss: none, non_finite_gradient: none}}
                    """.formatted(dir.resolve("work"), broker.bootstrapServers()), "fuzz");
            LabeledRows[] split = CsvRows.digits().split(0.8, 2);
            try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
                cluster.ensureTopics(List.of(cfg.ingest().trainTopic(), cfg.ingest().validationTopic()), 1);
            }
            try (RecordProducer producer = new RecordProducer(broker.bootstrapServers(), Map.of())) {
                // small records: the validation topic obeys max-record-bytes too
                producer.send(cfg.ingest().validationTopic(), split[1], RecordFormat.SAFETENSORS, 8, null);
            }
            Random rnd = new Random(2026);
            MiniBatchCodec codec = MiniBatchCodec.standard();
            LabeledRows train = split[0];
            Map<String, Integer> mutations = new HashMap<>();
            try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class,
                    "linger.ms", "5"))) {
                for (int i = 0; i < RECORDS; i++) {
                    int from = rnd.nextInt(train.size() - 4);
                    byte[] good = codec.encode(4, 64, train.flatFeatures(from, from + 4), train.labels(from, from + 4));
                    byte[] value = good;
                    if (rnd.nextInt(3) == 0) {
                        String kind = List.of("truncate", "flip", "append", "empty", "garbage", "label", "nan", "width",
                                "header", "huge").get(rnd.nextInt(10));
                        mutations.merge(kind, 1, Integer::sum);
                        value = mutate(kind, good, rnd, train, from, codec);
                    }
                    byte[] key = rnd.nextBoolean() ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
                    raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(), key, value));
                }
                raw.flush();
            }
            assertTrue(mutations.size() >= 9, "most mutation kinds exercised: " + mutations);

            try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false), 0)) {
                Pipeline.Result r = pipeline.result().get(5, TimeUnit.MINUTES);
                var progress = r.training().progress().get(0);
                assertEquals(RECORDS, progress.records() + progress.deadLettered(), "every record handled once");
                assertEquals(0, progress.duplicates());
                assertTrue(progress.deadLettered() > RECORDS / 5, "most mutations are caught: " + progress);
                assertTrue(progress.records() > RECORDS / 2, "the good ones trained: " + progress);
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                    long committed = admin.listConsumerGroupOffsets(cfg.ingest().groupId()).partitionsToOffsetAndMetadata()
                            .get().get(new TopicPartition(cfg.ingest().trainTopic(), 0)).offset();
                    assertEquals(RECORDS, committed);
                }
                List<ConsumerRecord<byte[], byte[]>> dlq = readAll(broker.bootstrapServers(), cfg.ingest().deadLetterTopic(),
                        (int) progress.deadLettered());
                assertEquals(progress.deadLettered(), dlq.size());
                for (ConsumerRecord<byte[], byte[]> d : dlq) {
                    String reason = new String(d.headers().lastHeader("st-error-class").value(), StandardCharsets.UTF_8);
                    assertTrue(REASONS.contains(reason), reason);
                    assertTrue(d.headers().lastHeader("st-source-offset") != null);
                    assertTrue(d.headers().lastHeader("st-error-message") != null);
                }
                assertTrue(r.deployment().served(), r.deployment().message());
            }
        }
    }

    private static byte[] mutate(String kind, byte[] good, Random rnd, LabeledRows train, int from, MiniBatchCodec codec) {
        switch (kind) {
            case "truncate":
                return java.util.Arrays.copyOf(good, rnd.nextInt(good.length));
            case "flip": {
                byte[] v = good.clone();
                for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
                    int at = rnd.nextInt(Math.min(v.length, 200)); // mostly the header and the first floats
                    v[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return v;
            }
            case "append": {
                byte[] v = java.util.Arrays.copyOf(good, good.length + 1 + rnd.nextInt(64));
                return v;
            }
            case "empty":
                return new byte[0];
            case "garbage": {
                byte[] v = new byte[rnd.nextInt(300)];
                rnd.nextBytes(v);
                return v;
            }
            case "label":
                return codec.encode(4, 64, train.flatFeatures(from, from + 4), new long[] {0, 10 + rnd.nextInt(100), 1, 2});
            case "nan": {
                float[] x = train.flatFeatures(from, from + 4);
                x[rnd.nextInt(x.length)] = rnd.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
                return codec.encode(4, 64, x, train.labels(from, from + 4));
            }
            case "width":
                return codec.encode(4, 16, new float[64], train.labels(from, from + 4));
            case "header": {
                byte[] v = good.clone();
                v[8 + rnd.nextInt(20)] = '}';
                return v;
            }
            default:
                return new byte[4097]; // over ingest.max-record-bytes
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", bootstrap,
                "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).records(tp).forEach(out::add);
            }
        }
        return out;
    }
}
