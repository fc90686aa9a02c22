package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.Skipped;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Several training topics on a real broker: weighted interleaving, a topic pattern with new topics, mixed formats. */
class MultiTopicIngestTest {
    private static final MiniBatchCodec CODEC = MiniBatchCodec.standard();
    private static final RecordValidator.Expectation EXPECT = new RecordValidator.Expectation(2, 1000, "softmax",
            "reject", 1e4, 1 << 20);
    static final EmbeddedKafkaBroker broker = SharedBroker.broker();
    static final Admin admin = SharedBroker.admin();


    private static TopicRoutes routes(List<TrainTopic> topics, String pattern, Set<String> excluded) {
        return new TopicRoutes(topics, pattern, RecordFormatSettings.of("safetensors"),
                f -> new RecordValidator(ExampleDecoders.forFormat(f), EXPECT), excluded);
    }

    private static void produce(String topic, int n, java.util.function.IntFunction<byte[]> value) throws Exception {
        try (var p = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, value.apply(i)));
            }
            p.flush();
        }
    }

    private static byte[] minibatch(int label) {
        return CODEC.encode(1, 2, new float[] {label, label}, new long[] {label});
    }

    /** The next item that is not a {@link dev.streamtrain.core.batch.PartitionStarted} (those come first). */
    private static BatchQueueItem next(BackPressureQueue<BatchQueueItem> queue) throws InterruptedException {
        BatchQueueItem item;
        do {
            item = queue.poll(30, TimeUnit.SECONDS);
        } while (item instanceof dev.streamtrain.core.batch.PartitionStarted);
        return item;
    }

    private static TrainIngestVerticle verticle(TopicRoutes routes, String group, BackPressureQueue<BatchQueueItem> q,
            boolean stopAtEnd) {
        return new TrainIngestVerticle("j", routes, ConsumerSettings.of(broker.bootstrapServers(), group, Map.of()),
                vx -> new DeadLetterPublisher(vx, broker.bootstrapServers(), Map.of(), group + ".dlq"), q, stopAtEnd,
                List.of()).metricsEvery(50);
    }

    /** Ingest's metric reports on this Vert.x, as they are published. */
    private static LinkedBlockingQueue<IngestMetrics> reports(Vertx vertx) throws Exception {
        Events.registerCodecs(vertx);
        var reports = new LinkedBlockingQueue<IngestMetrics>();
        vertx.eventBus().<IngestMetrics>consumer(Addresses.INGEST_METRICS, m -> reports.add(m.body()))
                .completion().await(10, TimeUnit.SECONDS);
        return reports;
    }

    private static <T> T await(LinkedBlockingQueue<T> q, java.util.function.Predicate<T> until) throws Exception {
        T item;
        do {
            item = q.poll(30, TimeUnit.SECONDS);
            assertNotNull(item, "timed out");
        } while (!until.test(item));
        return item;
    }

    @Test
    void weightedInterleavingGivesEachTopicItsShareWhileBothHaveData() throws Exception {
        admin.createTopics(List.of(new NewTopic("w.a", 1, (short) 1), new NewTopic("w.b", 1, (short) 1))).all().get();
        produce("w.a", 200, MultiTopicIngestTest::minibatch);
        produce("w.b", 200, MultiTopicIngestTest::minibatch);
        var queue = new BackPressureQueue<BatchQueueItem>(4, 2);
        TopicRoutes routes = routes(List.of(new TrainTopic("w.a", RecordFormatSettings.of("safetensors"), 3),
                new TrainTopic("w.b", RecordFormatSettings.of("safetensors"), 1)), "", Set.of());
        Vertx vertx = Vertx.vertx();
        try {
            var reports = reports(vertx);
            vertx.deployVerticle(verticle(routes, "gw", queue, true).interleaveByWeight(64)).await(30, TimeUnit.SECONDS);
            // the trainer is "busy": nothing drains the queue until both lanes are full (4 queued + 64 + 64 read)
            IngestMetrics full = await(reports, r -> r.records() >= 4 + 64 + 64);
            assertEquals(List.of("w.a", "w.b"), full.topics());
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 4 + 80; i++) {
                MiniBatch b = (MiniBatch) next(queue);
                assertNotNull(b, "consumption resumed");
                order.add(b.sources().get(0).topic());
            }
            long a = order.subList(4, 84).stream().filter("w.a"::equals).count();
            assertTrue(a >= 58 && a <= 62, "weights 3:1 give w.a 60 of 80 minibatches, got " + a + ": " + order);
            // the rest drains; every record arrives once and the end is handed over
            int rest = 0;
            BatchQueueItem item;
            while (!((item = next(queue)) instanceof dev.streamtrain.core.batch.EndOfStream)) {
                assertNotNull(item);
                rest++;
            }
            assertEquals(400, 84 + rest);
            IngestMetrics end = await(reports, r -> r.minibatchesByTopic().values().stream().mapToLong(v -> v).sum() == 400);
            assertEquals(Map.of("w.a", 200L, "w.b", 200L), end.minibatchesByTopic());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPatternPicksUpNewTopicsAndEachTopicKeepsItsFormat() throws Exception {
        admin.createTopics(List.of(new NewTopic("pat.one", 1, (short) 1), new NewTopic("lines", 1, (short) 1),
                new NewTopic("pat.own", 1, (short) 1))).all().get();
        produce("pat.one", 3, MultiTopicIngestTest::minibatch);
        produce("pat.own", 3, MultiTopicIngestTest::minibatch); // the job's own topic: never trained on
        produce("lines", 5, i -> (i == 0 ? "a,b,label" : i + "," + i + "," + i).getBytes(StandardCharsets.UTF_8));
        var queue = new BackPressureQueue<BatchQueueItem>(100, 50);
        TopicRoutes routes = routes(List.of(new TrainTopic("lines", RecordFormatSettings.of("csv"), 1)), "pat\\..*", Set.of("pat.own"));
        Vertx vertx = Vertx.vertx();
        try {
            var reports = reports(vertx);
            vertx.deployVerticle(verticle(routes, "gp", queue, false).assembleExamples(2, 20).topicRefreshEvery(100))
                    .await(30, TimeUnit.SECONDS);
            Map<String, Integer> rows = new HashMap<>();
            List<Skipped> skipped = new ArrayList<>();
            while (rows.getOrDefault("pat.one", 0) < 3 || rows.getOrDefault("lines", 0) < 4) {
                BatchQueueItem item = next(queue);
                assertNotNull(item, "timed out with " + rows);
                if (item instanceof Skipped s) {
                    skipped.add(s);
                } else {
                    MiniBatch b = (MiniBatch) item;
                    rows.merge(b.sources().get(0).topic(), b.rows(), Integer::sum);
                }
            }
            assertEquals(List.of(new Skipped(dev.streamtrain.core.batch.OffsetRange.single("lines", 0, 0), "csv_header")),
                    skipped, "the header line is skipped, not trained and not dead-lettered");

            admin.createTopics(List.of(new NewTopic("pat.two", 2, (short) 1))).all().get();
            produce("pat.two", 4, MultiTopicIngestTest::minibatch);
            while (rows.getOrDefault("pat.two", 0) < 4) {
                BatchQueueItem item = next(queue);
                assertNotNull(item, "the new topic was not picked up: " + rows);
                rows.merge(((MiniBatch) item).sources().get(0).topic(), ((MiniBatch) item).rows(), Integer::sum);
            }
            assertEquals(Map.of("pat.one", 3, "lines", 4, "pat.two", 4), rows, "each record once; pat.own never");
            IngestMetrics m = await(reports, r -> r.topics().contains("pat.two"));
            assertEquals(List.of("lines", "pat.one", "pat.two"), m.topics());
            assertEquals(Map.of("csv_header", 1L), m.skipped());
            assertEquals(Set.of("lines-0", "pat.one-0", "pat.two-0", "pat.two-1"), m.lag().keySet());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
