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

/** A job from a job file against an external (here: separately started) cluster; the produce command. */
class RunJobTest {
    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = AppTestBroker.broker();
    }

    /** A bounded job on the shared test broker, plus extra YAML. */
    static JobConfig externalJob(String job, String extraYaml) {
        return AppTestBroker.job(job, extraYaml);
    }

    /** Creates the job's topics and produces the validation split and {@code passes} passes of the training split. */
    static void seed(JobConfig cfg, LabeledRows[] split, int passes) throws Exception {
        try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
            cluster.ensureTopics(List.of(cfg.ingest().trainTopic(), cfg.ingest().validationTopic()), 1);
        }
        try (RecordProducer producer = new RecordProducer(AppTestBroker.broker().bootstrapServers(), Map.of())) {
            producer.send(cfg.ingest().validationTopic(), split[1], RecordFormat.SAFETENSORS, 64, null);
            for (int pass = 0; pass < passes; pass++) {
                producer.send(cfg.ingest().trainTopic(), split[0], RecordFormat.SAFETENSORS, 32, null);
            }
        }
    }

    @Test
    void badRecordsAreDeadLetteredAndANonFiniteLossIsSkippedWithAnAlert() throws Exception {
        JobConfig cfg = externalJob("poisoned", """
                training: {eval-every: 40}
                remediation: {actions: {non_finite_loss: none, loss_spike: none}}   # alerts only: no rollback here
                """);
        seed(cfg, CsvRows.digits().split(0.8, 1), 3);
        float[] nanFeatures = new float[2 * 64];
        nanFeatures[5] = Float.NaN;
        float[] overflowing = new float[2 * 64]; // finite, so it passes validation; the loss overflows
        java.util.Arrays.fill(overflowing, 3e38f);
        try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(),
                    MiniBatchCodec.standard().encode(2, 64, nanFeatures, new long[] {1, 2}))).get();
            raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(),
                    MiniBatchCodec.standard().encode(2, 64, overflowing, new long[] {1, 2}))).get();
            raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(), "not safetensors".getBytes())).get();
            raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(),
                    MiniBatchCodec.standard().encode(1, 64, new float[64], new long[] {0}))).get();
        }

        KafkaCluster cluster = KafkaCluster.forJob(cfg);
        assertEquals(null, cluster.embeddedBroker(), "bootstrap servers given: nothing embedded is started");
        try (Pipeline pipeline = Pipeline.start(cfg, cluster, new ConsoleProgress(System.out, false), 0)) {
            Pipeline.Result r = pipeline.result().get(5, TimeUnit.MINUTES);
            assertEquals(1, r.training().skippedUpdates(), "the overflowing minibatch was not applied");
            assertEquals(3, r.training().progress().get(0).deadLettered(),
                    "NaN features and garbage (ingest) and the overflowing minibatch (the trainer's guard) went to the DLQ");
            assertTrue(r.training().validation().accuracy() > 0.85, "training went on: " + r.training().validation());
            assertTrue(r.deployment().served(), r.deployment().message());
            assertTrue(ModelSnapshotFiles.read(Path.of(r.training().checkpoint())).isFinite(), "no NaN model");
            try (Admin admin = cluster.admin()) {
                long end = KafkaTopics.endOffset(admin, cfg.ingest().trainTopic());
                long committed = admin.listConsumerGroupOffsets(cfg.ingest().groupId()).partitionsToOffsetAndMetadata()
                        .get().values().iterator().next().offset();
                assertEquals(end, committed, "committed past the poisoned and the dead-lettered records");
                assertEquals(3, KafkaTopics.endOffset(admin, "poisoned.dlq"));
            }
            var dlq = KafkaTopics.readUntil(broker.bootstrapServers(), "poisoned.dlq", v -> false, Duration.ofSeconds(3));
            assertEquals(3, dlq.size());
            var alerts = KafkaTopics.readUntil(broker.bootstrapServers(), "poisoned.alerts",
                    v -> v.contains("non_finite_loss"), Duration.ofSeconds(30));
            assertTrue(alerts.stream().anyMatch(v -> v.contains("\"type\":\"alert\"") && v.contains("non_finite_loss") && v.contains("\"value\":\"NaN\"")), alerts.toString());
        }
        assertTrue(broker.isAcceptingConnections(), "an external cluster is left running");
    }

    @Test
    void aNewModelOnAGroupWithCommittedOffsetsStartsAtTheBeginningUnlessToldOtherwise() throws Exception {
        String shared = "ingest: {stop-at-end: true, train-topic: oldgroup.train, validation-topic: oldgroup.validation,"
                + " group-id: oldgroup}";
        JobConfig first = externalJob("oldgroup", shared);
        seed(first, CsvRows.digits().split(0.8, 4), 1);
        long produced;
        try (Pipeline pipeline = Pipeline.start(first, KafkaCluster.forJob(first), new ConsoleProgress(System.out,
                false), 0)) {
            produced = pipeline.result().get(5, TimeUnit.MINUTES).training().updates();
        }
        // a second model (its own work dir, no checkpoint) on the same group: the group's commits are at the end
        JobConfig fresh = externalJob("oldgroup-new", shared);
        try (Pipeline pipeline = Pipeline.start(fresh, KafkaCluster.forJob(fresh), new ConsoleProgress(System.out,
                false), 0)) {
            assertEquals(produced, pipeline.result().get(5, TimeUnit.MINUTES).training().updates(),
                    "ingest.start: earliest (the default) trains everything retained");
        }
        JobConfig trusting = externalJob("oldgroup-trusting", shared.replace("group-id: oldgroup}",
                "group-id: oldgroup, start: committed}"));
        try (Pipeline pipeline = Pipeline.start(trusting, KafkaCluster.forJob(trusting), new ConsoleProgress(
                System.out, false), 0)) {
            var r = pipeline.result().get(5, TimeUnit.MINUTES);
            assertEquals(0, r.training().updates(), "start: committed continues at the group's offsets: nothing new");
            assertTrue(!r.deployment().served(), "and nothing trained is never exported");
        }
    }

    @Test
    void badValidationRecordsAreDeadLetteredAndEvaluationGoesOn() throws Exception {
        JobConfig cfg = externalJob("badval", "training: {eval-every: 20}");
        LabeledRows[] split = CsvRows.digits().split(0.8, 2);
        seed(cfg, split, 1);
        float[] nan = new float[2 * 64];
        nan[3] = Float.NaN;
        try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            raw.send(new ProducerRecord<>(cfg.ingest().validationTopic(),
                    MiniBatchCodec.standard().encode(2, 63, new float[2 * 63], new long[] {1, 2}))).get(); // width 63
            raw.send(new ProducerRecord<>(cfg.ingest().validationTopic(),
                    MiniBatchCodec.standard().encode(2, 64, nan, new long[] {1, 2}))).get();
        }
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false),
                0)) {
            Pipeline.Result r = pipeline.result().get(5, TimeUnit.MINUTES);
            assertEquals(split[1].size(), r.training().validation().rows(), "only the good validation rows");
            assertTrue(Double.isFinite(r.training().validation().loss()), r.training().validation().toString());
            assertTrue(r.deployment().served(), r.deployment().message());
            var dlq = KafkaTopics.readHeaders(broker.bootstrapServers(), "badval.dlq", 2, Duration.ofSeconds(30));
            assertEquals(java.util.Set.of("validation_wrong_shape", "validation_non_finite_features"),
                    dlq.stream().map(h -> h.get("st-error-class")).collect(java.util.stream.Collectors.toSet()));
            assertEquals(cfg.ingest().validationTopic(), dlq.get(0).get("st-source-topic"));
        }
    }

    @Test
    void aBoundedRunThatTrainedNothingExportsNothingAlertsAndExitsNonZero() throws Exception {
        JobConfig cfg = externalJob("nothing", "");
        try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
            cluster.ensureTopics(List.of(cfg.ingest().trainTopic(), cfg.ingest().validationTopic()), 1);
        }
        try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            for (int i = 0; i < 3; i++) {
                raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(), "garbage".getBytes())).get();
            }
        }
        Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false), 0);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = Serving.finish(pipeline, "127.0.0.1", true, new java.io.PrintStream(out, true));
        assertEquals(1, code, out.toString());
        assertTrue(out.toString().contains("not served: nothing trained"), out.toString());
        assertTrue(out.toString().contains("nothing was trained: " + cfg.ingest().describeSources()
                + " held no record to train"), "the topics are named: " + out);
        var alerts = KafkaTopics.readUntil(broker.bootstrapServers(), "nothing.alerts",
                v -> v.contains("nothing_trained"), Duration.ofSeconds(30));
        assertTrue(alerts.stream().anyMatch(v -> v.contains("nothing_trained") && v.contains("\"critical\"")),
                alerts.toString());
        assertTrue(!Files.exists(cfg.workDir().resolve("models")), "no model exported");
    }

    @Test
    void aRestartedJobResumesFromItsCheckpointAndTrainsOnlyNewRecords() throws Exception {
        JobConfig cfg = externalJob("continuous", "");
        LabeledRows[] split = CsvRows.digits().split(0.8, 5);
        seed(cfg, split, 1);
        Pipeline.Result first;
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false), 0)) {
            first = pipeline.result().get(5, TimeUnit.MINUTES);
        }
        long firstRecords = first.training().progress().get(0).records();
        assertEquals(first.training().updates(), firstRecords);
        try (RecordProducer producer = new RecordProducer(broker.bootstrapServers(), Map.of())) {
            producer.send(cfg.ingest().trainTopic(), split[0], RecordFormat.SAFETENSORS, 32, null);
        }
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false), 0)) {
            Pipeline.Result second = pipeline.result().get(5, TimeUnit.MINUTES);
            var progress = second.training().progress().get(0);
            assertEquals(firstRecords, progress.firstOffset(), "continues after the last checkpointed record");
            assertEquals(firstRecords, progress.records(), "trains only the new records, each once");
            assertEquals(2 * firstRecords, second.training().updates(), "update count continues");
            assertTrue(second.training().validation().accuracy() >= first.training().validation().accuracy() - 0.02,
                    "the resumed model kept what it learned: " + second.training().validation());
            // served when it beats the first run's version on today's validation rows, else that one keeps serving
            assertTrue(second.deployment().modelServes(), second.deployment().message());
        }
        // a third start with nothing new: it finishes at once from its checkpoint, exports and exits 0
        long started = System.nanoTime();
        Pipeline again = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false), 0);
        again.result().get(60, TimeUnit.SECONDS); // it used to wait forever for a commit of nothing new
        var out = new java.io.ByteArrayOutputStream();
        assertEquals(0, Serving.finish(again, "127.0.0.1", true, new java.io.PrintStream(out, true)), out.toString());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60), "promptly");
        assertTrue(out.toString().contains(String.format("%,d", 2 * firstRecords)), out.toString());
    }

    @Test
    void withOnErrorFailTheFirstBadRecordStopsTheJobAndStaysUncommitted() throws Exception {
        JobConfig cfg = externalJob("strict", "ingest: {stop-at-end: true, on-error: fail}");
        seed(cfg, CsvRows.digits().split(0.8, 7), 1);
        long bad;
        try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            bad = raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(), "garbage".getBytes())).get().offset();
            raw.send(new ProducerRecord<>(cfg.ingest().trainTopic(),
                    MiniBatchCodec.standard().encode(1, 64, new float[64], new long[] {0}))).get();
        }
        Path job = dir.resolve("strict.yaml");
        Files.writeString(job, """
                job: strict
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {stop-at-end: true, on-error: fail}
                serving: {port: 0}
                """.formatted(dir.resolve("strict"), broker.bootstrapServers()));
        StringWriter err = new StringWriter();
        java.io.PrintStream original = System.out;
        int code;
        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
        try {
            code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "run",
                    "--config", job.toString());
        } finally {
            System.setOut(original);
        }
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().contains("ingest stopped (ingest.on-error: fail) at strict.train-0@" + bad
                + ": undecodable"), err.toString());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            var committed = admin.listConsumerGroupOffsets(cfg.ingest().groupId()).partitionsToOffsetAndMetadata().get()
                    .get(new org.apache.kafka.common.TopicPartition(cfg.ingest().trainTopic(), 0));
            assertTrue(committed == null || committed.offset() <= bad, "the bad record is not committed: " + committed);
        }
    }

    @Test
    void produceWritesEachFormatAndRunReportsEveryConfigProblem() throws Exception {
        Path csv = dir.resolve("tiny.csv");
        Files.writeString(csv, "a,b,label\n0.5,1,0\n2,3,1\n4,5,1\n");
        for (String format : List.of("safetensors", "npz", "json", "csv")) {
            StringWriter out = new StringWriter();
            List<String> args = new java.util.ArrayList<>(List.of("produce", "--csv", csv.toString(), "--topic",
                    "tiny-" + format, "--header", "--batch-size", "2", "--format", format, "--bootstrap-servers",
                    broker.bootstrapServers()));
            if (format.equals("csv")) {
                args.add("--csv-header");
            }
            int code = Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                    args.toArray(String[]::new));
            assertEquals(0, code);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                long expected = switch (format) {
                    case "safetensors", "npz" -> 2; // 3 rows in minibatches of 2
                    case "csv" -> 4; // a header line, then 3 rows
                    default -> 3;
                };
                assertEquals(expected, KafkaTopics.endOffset(admin, "tiny-" + format), format);
            }
        }
        var json = KafkaTopics.readUntil(broker.bootstrapServers(), "tiny-json", v -> true, Duration.ofSeconds(10));
        assertEquals("{\"x\":[0.5,1.0],\"y\":0}", json.get(0));
        var lines = KafkaTopics.readUntil(broker.bootstrapServers(), "tiny-csv", v -> v.startsWith("0.5"),
                Duration.ofSeconds(10));
        assertEquals(List.of("f0,f1,label", "0.5,1.0,0"), lines.subList(0, 2));

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "model: {hidden: [-3]}\noptimizer: {params: {lr: zero}}\nserving: {prot: 1}\n");
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "run",
                "--config", bad.toString());
        assertEquals(2, code);
        String message = err.toString();
        assertTrue(message.contains("(3 problems)"), message);
        assertTrue(message.contains("model.hidden[0]: must be a whole number >= 1"), message);
        assertTrue(message.contains("optimizer.params.lr: must be a number"), message);
        assertTrue(message.contains("serving.prot: unknown key (did you mean 'serving.port'?)"), message);
    }

    @Test
    void runCommandTrainsFromAJobFileAndExitsAfterTheExport() throws Exception {
        try (RecordProducer producer = new RecordProducer(broker.bootstrapServers(), Map.of())) {
            LabeledRows[] split = CsvRows.digits().split(0.8, 3);
            producer.send("cli.validation", split[1], RecordFormat.SAFETENSORS, 64, null);
            producer.send("cli.train", split[0], RecordFormat.SAFETENSORS, 16, null);
        }
        Path job = dir.resolve("cli-job.yaml");
        Files.writeString(job, """
                job: cli
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {stop-at-end: true}
                serving: {port: 0}
                """.formatted(dir.resolve("cli-work"), broker.bootstrapServers()));
        StringWriter err = new StringWriter();
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        int code;
        System.setOut(new java.io.PrintStream(stdout, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "run",
                    "--config", job.toString(), "--exit-after-export");
        } finally {
            System.setOut(original);
        }
        String printed = stdout.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, err + printed);
        assertTrue(printed.contains("using Kafka at " + broker.bootstrapServers()), printed);
        assertTrue(printed.matches("(?s).*\\| updates +\\| 90 +\\|.*"), printed);
        assertTrue(printed.contains(": OK"), printed);
        assertTrue(printed.contains("verified, not served: the run ends after the export")
                && !printed.contains("/v1/predict"), "no serving address when nothing will serve: " + printed);
        assertTrue(Files.exists(dir.resolve("cli-work/models/v000000090/model.onnx")));
    }

    @Test
    void helpExplainsEveryCommand() {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "--help"));
        for (String command : List.of("demo", "run", "produce")) {
            assertTrue(out.toString().contains("  " + command + " "), out.toString());
        }
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "produce"));
        assertTrue(err.toString().contains("Missing required options"), err.toString());
    }
}
