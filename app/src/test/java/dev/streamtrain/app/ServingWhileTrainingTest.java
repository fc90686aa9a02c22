package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.deploy.ModelRecords;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An endless run on a paced stream serves while it trains: version 1 within the first minute, later versions only
 * when their validation loss is better by min_delta, worse candidates rejected, serving goes on through a rollback of
 * the trainer, and a replica ({@code streamtrain serve --from-topic} in a JVM of its own) serves the same version
 * through promotions and a serving rollback.
 */
class ServingWhileTrainingTest {
    @Test
    void anEndlessRunServesAndPromotesOnlyBetterVersions() throws Exception {
        JobConfig cfg = AppTestBroker.job("serving", """
                ingest: {stop-at-end: false}
                training: {eval-every: 20}
                deploy: {every_n_train_steps: 40, min_delta: 0.002, keep: 10}
                serving: {port: 0, token: t0ken, request-topic: serving.requests}
                """);
        LabeledRows[] split = CsvRows.digits().split(0.8, 3);
        RunJobTest.seed(cfg, split, 1);
        var paced = new EndlessStream(cfg.ingest().trainTopic(), split[0], 2000); // a pass of the rows every 2 s
        List<ModelPromotion> decisions = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        Process[] replica = new Process[1];
        java.nio.file.Path replicaLog = java.nio.file.Files.createTempFile("replica", ".log");
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false),
                0)) {
            pipeline.vertx().eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION,
                    m -> decisions.add(m.body()));
            long started = System.nanoTime();
            await(() -> decisions.stream().anyMatch(ModelPromotion::promoted), 60, "a first version");
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60), "served within the first minute");
            String base = "http://127.0.0.1:" + pipeline.servingPort();
            assertEquals(200, get(http, base + "/v1/model").statusCode());
            askOverKafka(); // Kafka-in, Kafka-out inference, on the same served model
            // a replica on "another machine": `streamtrain serve --from-topic` in a JVM of its own
            int replicaPort;
            try (var probe = new java.net.ServerSocket(0)) {
                replicaPort = probe.getLocalPort();
            }
            replica[0] = RestartBench.startMain(replicaLog, List.of(), List.of("serve", "--from-topic",
                    ModelRecords.topic("serving"), "--bootstrap-servers", AppTestBroker.broker().bootstrapServers(),
                    "--port", String.valueOf(replicaPort)));
            String replicaBase = "http://127.0.0.1:" + replicaPort;

            await(() -> decisions.stream().filter(ModelPromotion::promoted).count() >= 2
                    && decisions.stream().anyMatch(d -> !d.promoted()), 120, "a later promotion and a rejection");
            var rolledBack = pipeline.vertx().eventBus().<CommandReply>request(Addresses.TRAINER_CONTROL,
                    new TrainerCommand.Rollback("test: forced", decisions.stream().mapToLong(ModelPromotion::updates)
                            .max().orElseThrow())).toCompletionStage() // to a state before the newest candidate
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertTrue(rolledBack.body() instanceof CommandReply.Accepted, rolledBack.body().toString());
            int before = decisions.size();
            await(() -> decisions.size() > before, 60, "candidates after the rollback");
            HttpResponse<String> model = get(http, base + "/v1/model");
            assertEquals(200, model.statusCode(), "serving went on through the rollback");
            JsonObject served = new JsonObject(model.body());
            assertTrue(served.getJsonArray("versions").size() <= 10, "keep: 10");
            await(() -> version(http, base).equals(version(http, replicaBase)), 60, "the replica to follow ("
                    + replicaLog + ")");

            HttpResponse<String> back = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/model/rollback"))
                    .header("Authorization", "Bearer t0ken").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, back.statusCode(), back.body());
            String rolledBackTo = new JsonObject(back.body()).getString("serving");
            await(() -> version(http, replicaBase).equals(rolledBackTo)
                    || version(http, replicaBase).equals(version(http, base)), 60, "the replica to roll back too");

            ModelPromotion first = decisions.stream().filter(ModelPromotion::promoted).findFirst().orElseThrow();
            for (ModelPromotion d : decisions) {
                if (d == first || Double.isNaN(d.value()) || Double.isNaN(d.servingValue())) {
                    continue;
                }
                boolean better = d.value() < d.servingValue() - 0.002;
                assertEquals(better, d.promoted(), "promoted exactly when better by min_delta: " + d);
            }
            String serving = served.getString("version");
            assertTrue(decisions.stream().anyMatch(d -> d.promoted() && d.version().equals(serving))
                    || serving.equals(first.version()), serving + " was promoted");
        } finally {
            paced.close();
            if (replica[0] != null) {
                replica[0].destroy();
                replica[0].waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier done, int seconds, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited " + seconds + " s for " + what);
            Thread.sleep(50);
        }
    }

    /** A request on serving.requests is answered on serving.responses under its key. */
    private static void askOverKafka() throws Exception {
        String servers = AppTestBroker.broker().bootstrapServers();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(Map.of(
                "bootstrap.servers", servers, "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class,
                "value.serializer", org.apache.kafka.common.serialization.StringSerializer.class))) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("serving.requests", "q1",
                    "{\"rows\": [" + java.util.Arrays.toString(new float[64]) + "]}")).get();
        }
        var answers = KafkaTopics.readUntil(servers, "serving.responses", v -> v.contains("model_version"),
                java.time.Duration.ofSeconds(30));
        assertTrue(answers.stream().anyMatch(v -> v.contains("\"classes\"")), answers.toString());
    }

    private static String version(HttpClient http, String base) {
        try {
            HttpResponse<String> r = get(http, base + "/v1/model");
            return r.statusCode() == 200 ? new JsonObject(r.body()).getString("version") : "(" + r.statusCode() + ")";
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
