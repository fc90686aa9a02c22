package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.DeadLettered;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.PartitionStarted;
import dev.streamtrain.core.batch.Skipped;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.RecordFormatSettings;
import dev.streamtrain.core.config.TrainTopic;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.wire.MiniBatchCodec;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Hold-out by key hash on a real broker: held-out records fill the validation set and are never trained. */
class HoldOutIngestTest {
    private static final MiniBatchCodec CODEC = MiniBatchCodec.standard();
    private static final RecordValidator.Expectation EXPECT = new RecordValidator.Expectation(2, 1000, "softmax",
            "reject", 1e4, 1 << 20);
    private static final double FRACTION = 0.3;
    static final EmbeddedKafkaBroker broker = SharedBroker.broker();
    static final Admin admin = SharedBroker.admin();

    /** Record i: label i, features {i, i}; every seventh has no key. */
    private static byte[] keyOf(int i) {
        return i % 7 == 0 ? null : ("customer-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** What the trainer's queue received in a bounded run, by kind. */
    private record Received(List<MiniBatch> trained, List<Skipped> skipped, List<DeadLettered> deadLettered) {
    }

    private static Received drain(BackPressureQueue<BatchQueueItem> queue) throws InterruptedException {
        Received r = new Received(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        BatchQueueItem item;
        while (!((item = queue.poll(30, TimeUnit.SECONDS)) instanceof EndOfStream)) {
            assertNotNull(item, "timed out before the end of the stream");
            if (item instanceof MiniBatch b) {
                r.trained().add(b);
            } else if (item instanceof Skipped s) {
                r.skipped().add(s);
            } else if (item instanceof DeadLettered d) {
                r.deadLettered().add(d);
            } else {
                assertTrue(item instanceof PartitionStarted, "unexpected " + item);
            }
        }
        return r;
    }

    private static Map<Integer, OffsetRange> produce(String topic, int n, java.util.function.IntFunction<byte[]> value)
            throws Exception {
        Map<Integer, OffsetRange> where = new HashMap<>();
        try (var p = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            for (int i = 0; i < n; i++) {
                RecordMetadata m = p.send(new ProducerRecord<>(topic, keyOf(i), value.apply(i))).get();
                where.put(i, OffsetRange.single(topic, m.partition(), m.offset()));
            }
        }
        return where;
    }

    private static TrainIngestVerticle verticle(TopicRoutes routes, String group,
            BackPressureQueue<BatchQueueItem> queue) {
        return new TrainIngestVerticle("j", routes, ConsumerSettings.of(broker.bootstrapServers(), group, Map.of()),
                vx -> new DeadLetterPublisher(vx, broker.bootstrapServers(), Map.of(), group + ".dlq"), queue, true,
                List.of()).metricsEvery(50);
    }

    private static Set<Long> labels(List<MiniBatch> batches) {
        Set<Long> out = new TreeSet<>();
        batches.forEach(b -> {
            for (long y : b.y()) {
                assertTrue(out.add(y), "label " + y + " seen twice");
            }
        });
        return out;
    }

    @Test
    void heldOutMinibatchRecordsGoToTheSetAndArriveAsSkippedTheRestTrains() throws Exception {
        String topic = "holdout-minibatches";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        int n = 60;
        Map<Integer, OffsetRange> where = produce(topic, n,
                i -> CODEC.encode(1, 2, new float[] {i, i}, new long[] {i}));
        Set<Long> expectHeld = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            if (HoldOut.holdsOut(keyOf(i), FRACTION)) {
                expectHeld.add((long) i);
            }
        }
        assertTrue(expectHeld.size() >= 5 && expectHeld.size() <= 35, "a useful mix for this test: " + expectHeld);
        // a bad record whose key is held out: dead-lettered as always, never in the set
        byte[] badKey = null;
        for (int j = 0; badKey == null; j++) {
            byte[] k = ("bad-" + j).getBytes(StandardCharsets.UTF_8);
            badKey = HoldOut.holdsOut(k, FRACTION) ? k : null;
        }
        RecordMetadata bad;
        try (var p = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            bad = p.send(new ProducerRecord<>(topic, badKey, new byte[] {1, 2, 3})).get();
        }

        ValidationSet held = new ValidationSet(10_000);
        var queue = new BackPressureQueue<BatchQueueItem>(1000, 500);
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            var reports = new LinkedBlockingQueue<IngestMetrics>();
            vertx.eventBus().<IngestMetrics>consumer(Addresses.INGEST_METRICS, m -> reports.add(m.body()))
                    .completion().await(10, TimeUnit.SECONDS);
            TopicRoutes routes = TopicRoutes.single(topic, new RecordValidator(CODEC, EXPECT), false);
            vertx.deployVerticle(verticle(routes, "g-holdout", queue).holdOut(FRACTION, held))
                    .await(30, TimeUnit.SECONDS);
            Received got = drain(queue);

            assertEquals(expectHeld, labels(held.snapshot()), "exactly the records the key hash selects");
            for (MiniBatch b : held.snapshot()) {
                int i = (int) b.y()[0];
                assertArrayEquals(new float[] {i, i}, b.x(), "rows as produced");
                assertEquals(List.of(where.get(i)), b.sources(), "with their offset");
            }
            Set<OffsetRange> expectSkipped = new HashSet<>();
            expectHeld.forEach(i -> expectSkipped.add(where.get(i.intValue())));
            Set<OffsetRange> skipped = new HashSet<>();
            for (Skipped s : got.skipped()) {
                assertEquals(HoldOut.REASON, s.reason());
                skipped.add(s.source());
            }
            assertEquals(got.skipped().size(), skipped.size(), "each held-out record handed over once");
            assertEquals(expectSkipped, skipped, "the trainer counts held-out offsets as handled");

            Set<Long> expectTrained = new TreeSet<>();
            for (long i = 0; i < n; i++) {
                expectTrained.add(i);
            }
            expectTrained.removeAll(expectHeld);
            assertEquals(expectTrained, labels(got.trained()), "every other record trains, held-out ones never");
            for (int i = 0; i < n; i += 7) {
                assertTrue(expectTrained.contains((long) i), "keyless record " + i + " trains");
            }
            assertEquals(List.of(new DeadLettered(OffsetRange.single(topic, bad.partition(), bad.offset()),
                    "undecodable")), got.deadLettered(), "a bad held-out record is dead-lettered as usual");

            IngestMetrics m;
            do {
                m = reports.poll(30, TimeUnit.SECONDS);
                assertNotNull(m, "no report after the last record");
            } while (m.records() < n + 1);
            assertEquals(Map.of(HoldOut.REASON, (long) expectHeld.size()), m.skipped());
            assertEquals(Map.of("undecodable", 1L), m.deadLettered());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void exampleRecordsAreHeldOutOneByOneBeforeAssembly() throws Exception {
        String topic = "holdout-examples";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        int n = 40;
        Map<Integer, OffsetRange> where = produce(topic, n,
                i -> ("{\"x\": [" + i + ", " + i + "], \"y\": " + i + "}").getBytes(StandardCharsets.UTF_8));
        ValidationSet held = new ValidationSet(10_000);
        var queue = new BackPressureQueue<BatchQueueItem>(1000, 500);
        TopicRoutes routes = new TopicRoutes(List.of(new TrainTopic(topic, RecordFormatSettings.of("json"), 1)), "",
                RecordFormatSettings.defaults(), f -> new RecordValidator(ExampleDecoders.forFormat(f), EXPECT),
                Set.of());
        Vertx vertx = Vertx.vertx();
        try {
            vertx.deployVerticle(verticle(routes, "g-holdout-json", queue).assembleExamples(4, 60_000)
                    .holdOut(FRACTION, held)).await(30, TimeUnit.SECONDS);
            Received got = drain(queue);
            Set<Long> expectHeld = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                if (HoldOut.holdsOut(keyOf(i), FRACTION)) {
                    expectHeld.add((long) i);
                }
            }
            assertFalse(expectHeld.isEmpty());
            assertEquals(expectHeld, labels(held.snapshot()));
            for (MiniBatch b : held.snapshot()) {
                assertEquals(1, b.rows(), "one row per held-out example");
                assertEquals(List.of(where.get((int) b.y()[0])), b.sources());
            }
            assertEquals(expectHeld.size(), got.skipped().size());
            Set<Long> trained = labels(got.trained());
            assertEquals(n - expectHeld.size(), trained.size(), "the other examples, assembled");
            assertTrue(trained.stream().noneMatch(expectHeld::contains), "no held-out row in a trained minibatch");
            assertTrue(got.trained().stream().anyMatch(b -> b.rows() == 4), "examples were assembled");
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
