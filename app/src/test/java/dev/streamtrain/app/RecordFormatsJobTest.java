package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.wire.MiniBatchCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/** Example records (JSON, CSV) and several topics in several formats, read from a cluster of the user's. */
class RecordFormatsJobTest {
    static EmbeddedKafkaBroker broker = AppTestBroker.broker();

    static JobConfig externalJob(String job, String extraYaml) {
        return AppTestBroker.job(job, extraYaml);
    }

    @Test
    void jsonAndCsvExampleRecordsAreAssembledValidatedAndTrained() throws Exception {
        for (String format : List.of("json", "csv")) {
            JobConfig cfg = externalJob("examples-" + format,
                    "ingest: {stop-at-end: true, format: %s, batch-size: 32, max-wait-ms: 50}".formatted(format));
            LabeledRows[] split = CsvRows.digits().split(0.8, 9);
            RecordFormat wire = RecordFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
            try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
                cluster.ensureTopics(List.of(cfg.ingest().trainTopic(), cfg.ingest().validationTopic()), 1);
            }
            try (RecordProducer producer = new RecordProducer(broker.bootstrapServers(), Map.of())) {
                producer.send(cfg.ingest().validationTopic(), split[1], wire, 1, null);
                for (int pass = 0; pass < 3; pass++) {
                    producer.send(cfg.ingest().trainTopic(), split[0], wire, 1, null);
                }
            }
            try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
                raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(), "1,2,not-a-number".getBytes())).get();
            }
            try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false), 0)) {
                Pipeline.Result r = pipeline.result().get(5, TimeUnit.MINUTES);
                var progress = r.training().progress().get(0);
                long produced = 3L * split[0].size() + 1;
                assertEquals(produced - 1, progress.records(), format + ": every example trained once");
                assertEquals(1, progress.deadLettered(), format + ": the bad line went to the DLQ");
                assertTrue(r.training().updates() >= (produced - 1) / 32, "assembled into minibatches of 32");
                assertTrue(r.training().validation().accuracy() > 0.9, format + ": " + r.training().validation());
                assertEquals(produced, r.commit().offsets().get(0).nextOffset(), "committed to the end");
            }
        }
    }

    @Test
    void threeTopicsInThreeFormatsTrainOneModelWithWeights() throws Exception {
        String columns = String.join(", ", RecordEncoder.csvHeader(64).split(","));
        JobConfig cfg = externalJob("mix", """
                ingest:
                  stop-at-end: true
                  batch-size: 32
                  max-wait-ms: 50
                  validation-topic: mix.validation
                  train-topics:
                    - {topic: mix.npz, format: npz, weight: 2}
                    - {topic: mix.json, format: json}
                    - {topic: mix.csv, format: csv, csv-header: check, csv-label-column: label, csv-columns: [%s]}
                """.formatted(columns));
        LabeledRows[] split = CsvRows.digits().split(0.8, 11);
        int rows = split[0].size();
        try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
            cluster.ensureTopics(List.of("mix.npz", "mix.json", "mix.csv", "mix.validation"), 1);
        }
        try (RecordProducer producer = new RecordProducer(broker.bootstrapServers(), Map.of())) {
            producer.send("mix.validation", split[1], RecordFormat.SAFETENSORS, 64, null);
            producer.send("mix.npz", split[0], RecordFormat.NPZ, 32, null);
            producer.send("mix.json", split[0], RecordFormat.JSON, 1, null);
            producer.sendCsvHeader("mix.csv", 64);
            producer.send("mix.csv", split[0], RecordFormat.CSV, 1, null);
        }
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false), 0)) {
            Pipeline.Result r = pipeline.result().get(5, TimeUnit.MINUTES);
            Map<String, dev.streamtrain.core.events.PartitionProgress> byTopic = new java.util.HashMap<>();
            r.training().progress().forEach(p -> byTopic.put(p.topic(), p));
            long npzRecords = (rows + 31) / 32;
            assertEquals(npzRecords, byTopic.get("mix.npz").records(), "every npz minibatch once");
            assertEquals(rows, byTopic.get("mix.json").records(), "every JSON example once");
            assertEquals(rows, byTopic.get("mix.csv").records(), "every CSV example once");
            assertEquals(1, byTopic.get("mix.csv").skipped(), "the header line is skipped, not trained");
            assertEquals(0, byTopic.values().stream().mapToLong(p -> p.deadLettered() + p.duplicates()).sum());
            assertEquals(3L * rows, r.training().samples(), "three passes over the rows, one per topic");
            assertTrue(r.training().validation().accuracy() > 0.9, r.training().validation().toString());
            Map<String, Long> committed = new java.util.HashMap<>();
            r.commit().offsets().forEach(o -> committed.put(o.topic(), o.nextOffset()));
            assertEquals(Map.of("mix.npz", npzRecords, "mix.json", (long) rows, "mix.csv", rows + 1L), committed,
                    "every topic committed to its end, the header included");
        }
    }
}
