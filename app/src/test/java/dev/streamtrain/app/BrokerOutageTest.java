package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import io.vertx.core.internal.VertxInternal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 case 4: the broker stops for 10 s in the middle of a bounded run and comes back on the same port. No
 * event loop is blocked for 2 s or more (Vert.x's own warning threshold), training resumes and ends with every
 * example, and every event published meanwhile reaches the metrics topic afterwards.
 */
class BrokerOutageTest {
    @Test
    void aTenSecondOutageBlocksNoEventLoopLosesNoEventAndTrainingResumes(@TempDir Path dir) throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"));
        try {
            JobConfig cfg = JobConfigLoader.parse("""
                    job: outage
                    work-dir: %s
                    kafka:
                      bootstrap-servers: "%s"
                      consumer: {max.partition.fetch.bytes: "16384"}
                    ingest: {stop-at-end: true, queue-capacity: 4}
                    training: {eval-every: 5}
                    optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
                    serving: {port: 0}
                    """.formatted(dir.resolve("work"), broker.bootstrapServers()), "test");
            LabeledRows[] split = CsvRows.digits().split(0.8, 1);
            long produced = 0;
            try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
                cluster.ensureTopics(List.of(cfg.ingest().trainTopic(), cfg.ingest().validationTopic()), 1);
            }
            try (RecordProducer producer = new RecordProducer(broker.bootstrapServers(), Map.of())) {
                producer.send(cfg.ingest().validationTopic(), split[1], RecordFormat.SAFETENSORS, 64, null);
                for (int pass = 0; pass < 12; pass++) {
                    producer.send(cfg.ingest().trainTopic(), split[0], RecordFormat.SAFETENSORS, 32, null);
                    produced += split[0].size();
                }
            }
            Set<Long> checkpointsOnTheBus = new ConcurrentSkipListSet<>();
            List<Alert> alerts = new CopyOnWriteArrayList<>();
            CountDownLatch started = new CountDownLatch(3);
            AtomicLong longestStall = new AtomicLong();
            Pipeline.Result result;
            try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out,
                    false), 0)) {
                var bus = pipeline.vertx().eventBus();
                bus.<CheckpointSaved>consumer(Addresses.CHECKPOINT_SAVED, m -> {
                    checkpointsOnTheBus.add(m.body().update());
                    started.countDown();
                });
                bus.<Alert>consumer(Addresses.ALERTS, m -> alerts.add(m.body()));
                // every event loop runs a 20 ms tick; a late tick is a blocked loop
                for (var loop : ((VertxInternal) pipeline.vertx()).nettyEventLoopGroup()) {
                    long[] last = {System.nanoTime()};
                    loop.scheduleAtFixedRate(() -> {
                        long now = System.nanoTime();
                        longestStall.accumulateAndGet(now - last[0], Math::max);
                        last[0] = now;
                    }, 20, 20, TimeUnit.MILLISECONDS);
                }
                assertTrue(started.await(60, TimeUnit.SECONDS), "training started");
                broker.close();
                Thread.sleep(1_000);
                // the run's first alert comes during the outage: its topic's metadata was never fetched, which made
                // Kafka's send wait for it on the event loop
                bus.publish(Addresses.ALERTS, new Alert(cfg.job(), "outage_marker", "info", "written during the outage",
                        -1, 0, System.currentTimeMillis()));
                Thread.sleep(9_000);
                broker = broker.restart();
                result = pipeline.result().get(3, TimeUnit.MINUTES);
            }
            assertEquals(produced, result.training().samples(), "every example trained once, the outage included");
            assertTrue(longestStall.get() < TimeUnit.SECONDS.toNanos(2),
                    "an event loop stalled for " + longestStall.get() / 1_000_000 + " ms");
            assertTrue(alerts.stream().noneMatch(a -> a.kind().equals("events_dropped")), alerts.toString());
            Set<Long> checkpointsInKafka = new java.util.TreeSet<>();
            for (String value : readAll(broker, EventBridge.metricsTopic(cfg.job()))) {
                var node = dev.streamtrain.core.events.Events.mapper().readTree(value);
                if (node.path("type").asText().equals("checkpoint_saved")) {
                    checkpointsInKafka.add(node.path("update").asLong());
                }
            }
            assertTrue(readAll(broker, EventBridge.alertsTopic(cfg.job())).stream()
                    .anyMatch(v -> v.contains("outage_marker")), "the alert raised during the outage reached Kafka");
            assertTrue(checkpointsOnTheBus.size() > 3, "checkpoints were written: " + checkpointsOnTheBus);
            assertEquals(checkpointsOnTheBus, checkpointsInKafka, "every checkpoint event reached Kafka");
        } finally {
            broker.close();
        }
    }

    /** Every record value of a topic (one partition), from the beginning to its end. */
    private static List<String> readAll(EmbeddedKafkaBroker broker, String topic) {
        try (var consumer = new KafkaConsumer<String, String>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.deserializer", StringDeserializer.class, "value.deserializer", StringDeserializer.class))) {
            var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
            return values;
        }
    }
}
