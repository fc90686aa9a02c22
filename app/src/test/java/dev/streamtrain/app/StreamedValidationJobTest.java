package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.ingest.HoldOut;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Jobs with no validation topic: prequential and hold-out validation, and an external metrics topic. */
class StreamedValidationJobTest {
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = AppTestBroker.broker();
    }

    static JobConfig job(String name, String extra) {
        return AppTestBroker.job(name, extra);
    }

    /** Keyed minibatch records of the digits' training split; returns how many. */
    static long produceKeyed(String topic, int passes) throws Exception {
        LabeledRows train = CsvRows.digits().split(0.8, 3)[0];
        long n = 0;
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            for (int pass = 0; pass < passes; pass++) {
                for (int from = 0; from + 32 <= train.size(); from += 32) {
                    byte[] value = MiniBatchCodec.standard().encode(32, 64, train.flatFeatures(from, from + 32),
                            train.labels(from, from + 32));
                    producer.send(new ProducerRecord<>(topic, key(n++), value));
                }
            }
            producer.flush();
        }
        return n;
    }

    static byte[] key(long i) {
        return ("user-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void prequentialValidationDrivesPlateauControlAndHeldOutKeysAreNeverTrained() throws Exception {
        JobConfig cfg = job("prequential", """
                ingest: {stop-at-end: true}
                training: {eval-every: 20}
                validation: {sources: [prequential, holdout], holdout-fraction: 0.2, prequential-window-rows: 320}
                schedule: {scheduler: ReduceLROnPlateau, params: {patience: 1, threshold: 0.2, factor: 0.5}}
                """);
        try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
            cluster.ensureTopics(List.of(cfg.ingest().trainTopic()), 1);
        }
        long produced = produceKeyed(cfg.ingest().trainTopic(), 4);
        long heldOut = 0;
        for (long i = 0; i < produced; i++) {
            heldOut += HoldOut.holdsOut(key(i), 0.2) ? 1 : 0;
        }
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false),
                0)) {
            Pipeline.Result r = pipeline.result().get(5, TimeUnit.MINUTES);
            var audit = r.training().progress().get(0);
            assertEquals(heldOut, audit.skipped(), "exactly the held-out keys were not trained: " + audit);
            assertEquals(produced - heldOut, audit.records());
            assertEquals(produced - heldOut, r.training().updates(), "one update per trained minibatch");
            assertEquals("prequential", r.training().validation().source(), "the driving source's metrics are final");
            assertTrue(r.deployment().served(), r.deployment().message());
            assertEquals(r.deployment().rowsCompared(), heldOut * 32, "verified on the held-out rows");

            var events = KafkaTopics.readUntil(broker.bootstrapServers(), "prequential.metrics",
                    v -> v.contains("\"model_deployed\""), Duration.ofSeconds(30));
            var validations = events.stream().filter(v -> v.contains("\"validation_metrics\""))
                    .map(v -> Events.fromJson(v, ValidationMetrics.class)).toList();
            var pre = validations.stream().filter(v -> v.source().equals("prequential")).toList();
            var hold = validations.stream().filter(v -> v.source().equals("holdout")).toList();
            assertTrue(pre.size() >= 5 && hold.size() >= 5, validations.size() + " evaluations");
            assertEquals(320, pre.get(1).rows(), "the window");
            assertTrue(hold.get(hold.size() - 1).accuracy() > 0.9, "held-out accuracy " + hold.get(hold.size() - 1));
            var changes = events.stream().filter(v -> v.contains("\"lr_changed\""))
                    .map(v -> Events.fromJson(v, LrChanged.class)).toList();
            assertTrue(!changes.isEmpty(), "the prequential loss plateaued at least once (threshold 0.2)");
            for (LrChanged c : changes) {
                double prequentialLoss = pre.stream().filter(v -> v.update() == c.update()).findFirst()
                        .orElseThrow().loss();
                assertEquals(prequentialLoss, c.metric(), 1e-12, "plateau control observed the prequential loss");
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                assertEquals(produced, KafkaTopics.endOffset(admin, cfg.ingest().trainTopic()));
            }
        }
    }

    @Test
    void anExternalMetricsTopicDrivesEarlyStopping() throws Exception {
        JobConfig cfg = job("external", """
                ingest: {stop-at-end: false}
                training: {eval-every: 20, log-every: 1}
                validation: {sources: [external], external-start: earliest}
                early-stopping: {monitor: val_loss, patience: 2}
                """);
        String metricsTopic = cfg.validation().externalTopic();
        try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
            cluster.ensureTopics(List.of(cfg.ingest().trainTopic(), metricsTopic), 1);
        }
        long produced = produceKeyed(cfg.ingest().trainTopic(), 2);
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false),
                0)) {
            // an endless job: it trains what is there, then waits; metrics computed elsewhere arrive later
            KafkaTopics.readUntil(broker.bootstrapServers(), "external.metrics",
                    v -> v.contains("\"step_metrics\"") && v.contains("\"update\":" + produced + ","),
                    Duration.ofSeconds(60));
            assertTrue(!pipeline.result().isDone(), "still running: nothing stops an endless job but the monitor");
            try (var producer = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers",
                    broker.bootstrapServers(), "key.serializer", ByteArraySerializer.class, "value.serializer",
                    ByteArraySerializer.class))) {
                for (String json : List.of("{\"metric\": \"val_loss\", \"value\": 0.50, \"rows\": 900}",
                        "not a metric record",
                        "{\"metrics\": {\"val_loss\": 0.55, \"val_auc\": 0.9}, \"rows\": 900}",
                        "{\"metric\": \"val_loss\", \"value\": 0.61, \"rows\": 900}")) {
                    producer.send(new ProducerRecord<>(metricsTopic, json.getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            Pipeline.Result r = pipeline.result().get(2, TimeUnit.MINUTES);
            assertTrue(r.training().stopReason().startsWith("early_stopping: val_loss did not improve for 2"),
                    r.training().stopReason());
            assertEquals(produced, r.training().updates());
            assertTrue(r.deployment().served(), r.deployment().message());
            assertEquals(256, r.deployment().rowsCompared(), "no validation rows: seeded rows verify the export");
            var dlq = KafkaTopics.readHeaders(broker.bootstrapServers(), cfg.ingest().deadLetterTopic(), 1,
                    Duration.ofSeconds(30));
            assertEquals("bad_metric_record", dlq.get(0).get("st-error-class"));
        }
    }
}
