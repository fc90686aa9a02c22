package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.OffsetsCommitted;
import dev.streamtrain.core.events.PartitionOffset;
import dev.streamtrain.core.wire.MiniBatchCodec;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class IngestOnRealBrokerTest {
    private static final MiniBatchCodec CODEC = MiniBatchCodec.standard();
    static final EmbeddedKafkaBroker broker = SharedBroker.broker();
    static final Admin admin = SharedBroker.admin();

    @Test
    void pausesWhenFullResumesAndHandsOverEveryRecordWithItsOffsetThenCommits() throws Exception {
        String topic = "ingest-train";
        long producing = System.currentTimeMillis();
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        // 12 minibatches over 2 partitions, label = sequence number, plus one undecodable record
        try (var producer = producer()) {
            for (int i = 0; i < 12; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, CODEC.encode(1, 2, new float[] {i, i}, new long[] {i})));
            }
            producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {1, 2, 3})).get();
        }
        BackPressureQueue<BatchQueueItem> queue = new BackPressureQueue<>(3, 1);
        Map<String, String> cfg = new java.util.HashMap<>(ConsumerSettings.of(broker.bootstrapServers(), "g1", Map.of()));
        cfg.put("max.poll.records", "2");
        Vertx vertx = Vertx.vertx();
        try {
            var verticle = ingest(topic, cfg, queue).metricsEvery(100);
            var reports = new java.util.concurrent.LinkedBlockingQueue<dev.streamtrain.core.events.IngestMetrics>();
            Events.registerCodecs(vertx);
            vertx.eventBus().<dev.streamtrain.core.events.IngestMetrics>consumer(Addresses.INGEST_METRICS,
                    m -> reports.add(m.body())).completion().await(10, TimeUnit.SECONDS);
            vertx.deployVerticle(verticle).await(30, TimeUnit.SECONDS);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!queue.isPaused() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertTrue(queue.isPaused(), "ingest paused once the queue reached its high-water mark");
            assertTrue(queue.size() <= 3 + 2 + 1, "at most one poll's worth past high water: " + queue.size());
            // nothing drains the queue until a report shows the back-pressure and the lag it leaves
            dev.streamtrain.core.events.IngestMetrics whilePaused;
            do {
                whilePaused = reports.poll(30, TimeUnit.SECONDS);
            } while (whilePaused != null && !whilePaused.paused());
            assertTrue(whilePaused != null, "a report while paused");
            long lag = whilePaused.lag().values().stream().mapToLong(Long::longValue).sum();
            assertTrue(lag > 0 && lag + whilePaused.records() == 13, "lag + read = produced: " + whilePaused);
            assertTrue(whilePaused.bytes() > 0 && whilePaused.queueDepth() >= 3, whilePaused.toString());

            List<MiniBatch> batches = new ArrayList<>();
            List<dev.streamtrain.core.batch.DeadLettered> rejected = new ArrayList<>();
            BatchQueueItem item;
            List<dev.streamtrain.core.batch.PartitionStarted> starts = new ArrayList<>();
            while (!((item = queue.poll(30, TimeUnit.SECONDS)) instanceof EndOfStream)) {
                assertTrue(item != null, "timed out: consumption did not resume");
                if (item instanceof dev.streamtrain.core.batch.PartitionStarted started) {
                    assertTrue(batches.isEmpty() && rejected.isEmpty(), "where a partition starts comes first");
                    starts.add(started);
                } else if (item instanceof dev.streamtrain.core.batch.DeadLettered d) {
                    rejected.add(d);
                } else {
                    batches.add((MiniBatch) item);
                }
            }
            assertEquals(Set.of(new dev.streamtrain.core.batch.PartitionStarted(topic, 0, 0),
                    new dev.streamtrain.core.batch.PartitionStarted(topic, 1, 0)), new HashSet<>(starts));
            assertEquals(1, rejected.size(), "the garbage record is handed over as dead-lettered, after its DLQ ack");
            assertEquals(dev.streamtrain.core.batch.OffsetRange.single(topic, 0, 6), rejected.get(0).source());
            assertEquals("undecodable", rejected.get(0).reason());
            try (var dlq = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(),
                    "key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class,
                    "value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class))) {
                var tp = new TopicPartition(topic + ".dlq", 0);
                dlq.assign(List.of(tp));
                dlq.seekToBeginning(List.of(tp));
                var records = dlq.poll(java.time.Duration.ofSeconds(10)).records(tp);
                assertEquals(1, records.size());
                var copy = records.get(0);
                assertArrayEquals(new byte[] {1, 2, 3}, copy.value(), "the original value");
                Map<String, String> headers = new java.util.HashMap<>();
                copy.headers().forEach(h -> headers.put(h.key(), new String(h.value())));
                assertEquals(topic, headers.get("st-source-topic"));
                assertEquals("0", headers.get("st-source-partition"));
                assertEquals("6", headers.get("st-source-offset"));
                assertEquals("undecodable", headers.get("st-error-class"));
                assertTrue(headers.get("st-error-message").contains("too short"), headers.toString());
                assertTrue(Long.parseLong(headers.get("st-first-seen")) > 0);
            }
            assertEquals(12, batches.size());
            Set<Long> labels = new HashSet<>();
            for (MiniBatch b : batches) {
                labels.add(b.y()[0]);
                var src = b.sources().get(0);
                assertEquals(topic, src.topic());
                assertEquals(b.y()[0] % 2, src.partition(), "partition kept");
                assertEquals(b.y()[0] / 2, src.from(), "offset kept");
                assertTrue(b.producedAtMillis() >= producing && b.producedAtMillis() <= System.currentTimeMillis(),
                        "without a st-produced-at header, the record's timestamp tells when it was produced");
            }
            assertEquals(12, labels.size(), "each record exactly once");
            assertEquals(Map.of(topic + "-0", 7L, topic + "-1", 6L), ((EndOfStream) item).endOffsets());
            assertEquals(Map.of("undecodable", 1L), verticle.deadLetteredByReason());
            dev.streamtrain.core.events.IngestMetrics atEnd;
            do {
                atEnd = reports.poll(30, TimeUnit.SECONDS);
            } while (atEnd != null && atEnd.records() < 13);
            assertTrue(atEnd != null, "a report after the last record");
            assertEquals(Map.of(topic + "-0", 0L, topic + "-1", 0L), atEnd.lag());
            assertEquals(Map.of("undecodable", 1L), atEnd.deadLettered());

            CompletableFuture<OffsetsCommitted> committed = new CompletableFuture<>();
            vertx.eventBus().<OffsetsCommitted>consumer(Addresses.OFFSETS_COMMITTED, m -> committed.complete(m.body()));
            // a checkpoint may also name a partition this reader does not own (a topic deleted since): not committed
            vertx.eventBus().publish(Addresses.CHECKPOINT_SAVED, new CheckpointSaved("j", 12, "/c",
                    List.of(new PartitionOffset(topic, 0, 7), new PartitionOffset(topic, 1, 6),
                            new PartitionOffset("ingest-deleted-topic", 0, 5))));
            assertEquals(12, committed.get(30, TimeUnit.SECONDS).update());
            Map<TopicPartition, OffsetAndMetadata> inKafka = admin.listConsumerGroupOffsets("g1")
                    .partitionsToOffsetAndMetadata().get();
            assertEquals(7, inKafka.get(new TopicPartition(topic, 0)).offset());
            assertEquals(6, inKafka.get(new TopicPartition(topic, 1)).offset());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }

        // A restart resumes at the committed offsets: nothing left, end of stream at once.
        BackPressureQueue<BatchQueueItem> again = new BackPressureQueue<>(3, 1);
        Vertx vertx2 = Vertx.vertx();
        try {
            vertx2.deployVerticle(ingest(topic, cfg, again)).await(30, TimeUnit.SECONDS);
            Set<Object> resumed = new HashSet<>(List.of(again.poll(30, TimeUnit.SECONDS), again.poll(30, TimeUnit.SECONDS)));
            assertEquals(Set.of(new dev.streamtrain.core.batch.PartitionStarted(topic, 0, 7),
                    new dev.streamtrain.core.batch.PartitionStarted(topic, 1, 6)), resumed, "at the committed offsets");
            assertInstanceOf(EndOfStream.class, again.poll(30, TimeUnit.SECONDS));
        } finally {
            vertx2.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void validationReaderHasTheWholeTopicWhenStarted() throws Exception {
        String topic = "ingest-validation";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        try (var producer = producer()) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, CODEC.encode(2, 1, new float[] {i, i}, new long[] {0, 1}))).get();
            }
        }
        ValidationSet set = new ValidationSet(1000);
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            vertx.deployVerticle(new ValidationReaderVerticle(topic,
                    ConsumerSettings.of(broker.bootstrapServers(), null, Map.of()), CODEC, set)).await(30, TimeUnit.SECONDS);
            assertEquals(10, set.rows());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    static TrainIngestVerticle ingest(String topic, Map<String, String> cfg, BackPressureQueue<BatchQueueItem> queue) {
        var validator = new RecordValidator(CODEC, new RecordValidator.Expectation(2, 1000, "softmax", "reject", 1e4,
                1 << 20));
        return new TrainIngestVerticle("j", TopicRoutes.single(topic, validator, false), cfg,
                vx -> new DeadLetterPublisher(vx, broker.bootstrapServers(), Map.of(), topic + ".dlq"), queue, true,
                List.of());
    }

    /** A plain producer to the shared broker. */
    static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class));
    }
}
