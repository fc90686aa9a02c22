package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on the embedded broker: the demo with a shorter stream. */
class DemoPipelineTest {
    private static final int PASSES = 8;
    private static final int BATCH = 32;

    @Test
    void demoTrainsEveryRecordOnceCommitsExportsVerifiesServesAndStopsTheBroker(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        DemoOptions options = new DemoOptions(dir.resolve("work"), PASSES, BATCH, 0, "", 42);
        Pipeline pipeline = Demo.start(options, new ConsoleProgress(out, false), out);
        EmbeddedKafkaBroker broker = pipeline.cluster().embeddedBroker();
        assertNotNull(broker, "no bootstrap servers configured: the embedded broker runs");
        try {
            Pipeline.Result r = pipeline.result().get(5, TimeUnit.MINUTES);
            String job = "streamtrain-demo";
            String trainTopic = job + ".train";

            assertTrue(r.training().validation().accuracy() > 0.9, "accuracy " + r.training().validation().accuracy());
            assertTrue(r.deployment().served(), r.deployment().message());
            assertTrue(r.deployment().parityMaxAbsDiff() <= 1e-5, "parity " + r.deployment().parityMaxAbsDiff());
            assertEquals(r.training().validation().rows(), r.deployment().rowsCompared());

            try (Admin admin = pipeline.cluster().admin()) {
                long produced = KafkaTopics.endOffset(admin, trainTopic);
                assertEquals(PASSES * (long) Math.ceil(Math.round(1797 * 0.8) / (double) BATCH), produced);
                // every produced record trained exactly once, counted by offsets
                var progress = r.training().progress();
                assertEquals(1, progress.size());
                assertEquals(produced, progress.get(0).records());
                assertEquals(0, progress.get(0).duplicates());
                assertEquals(0, progress.get(0).firstOffset());
                assertEquals(produced - 1, progress.get(0).lastOffset());
                assertEquals(produced, r.training().updates(), "one update per minibatch record");
                // offsets committed at the end, as Kafka itself reports them
                long committed = admin.listConsumerGroupOffsets("streamtrain-" + job).partitionsToOffsetAndMetadata()
                        .get().get(new TopicPartition(trainTopic, 0)).offset();
                assertEquals(produced, committed);
            }

            var metrics = KafkaTopics.readUntil(broker.bootstrapServers(), job + ".metrics",
                    v -> v.contains("\"type\":\"model_deployed\""), Duration.ofSeconds(30));
            assertTrue(metrics.stream().anyMatch(v -> v.contains("\"type\":\"validation_metrics\"")), "metrics on Kafka");
            assertTrue(metrics.stream().anyMatch(v -> v.contains("\"type\":\"step_metrics\"")));
            assertTrue(metrics.get(metrics.size() - 1).contains("\"type\":\"model_deployed\""));

            assertTrue(ModelSnapshotFiles.read(Path.of(r.training().checkpoint())).isFinite());
            assertTrue(Files.size(Path.of(r.deployment().onnxPath())) > 30_000, "ONNX file holds the weights");

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + r.servingPort();
            JsonObject model = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/model")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(r.training().updates(), model.getLong("updates"));
            var digits = CsvRows.digits();
            JsonArray row = new JsonArray();
            for (float v : digits.x().get(0)) {
                row.add(v);
            }
            var response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/predict"))
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("rows", new JsonArray().add(row))
                            .encode())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(digits.y().get(0).intValue(), new JsonObject(response.body()).getJsonArray("classes").getInteger(0),
                    "the served model classifies a training digit");

            String prometheus = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            var updates = java.util.regex.Pattern.compile("(?m)^streamtrain_updates_total\\{job=\"streamtrain-demo\"} (\\S+)$")
                    .matcher(prometheus);
            assertTrue(updates.find(), prometheus);
            assertEquals(r.training().updates(), Double.parseDouble(updates.group(1)), 0, "Micrometer's counter");
            assertTrue(prometheus.contains("streamtrain_validation_accuracy{job=\"streamtrain-demo\"}"), prometheus);
            assertTrue(java.util.regex.Pattern.compile("(?m)^vertx_http_server_response_time_seconds_bucket\\{.*"
                    + "route=\"/v1/predict\".*} [1-9]").matcher(prometheus).find(), "the predict latency histogram");

            String summary = RunSummary.render(r, "127.0.0.1");
            assertTrue(summary.contains("final validation accuracy"), summary);
            assertTrue(summary.contains("OK"), summary);
        } finally {
            pipeline.close();
        }
        assertFalse(broker.isAcceptingConnections(), "broker stopped");
    }
}
