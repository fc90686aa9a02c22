package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.config.DeploySettings;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ModelDeployed;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Candidates while training goes on, from checkpoints as the trainer saves them: the first good one serves, a worse
 * one is rejected, checkpoints not good or marked suspect are passed over, a better one is promoted, old versions
 * are pruned, and the trainer is never asked.
 */
class ContinuousDeployTest {
    @TempDir
    Path dir;

    Path checkpoint(long update, long seed, boolean good, double valLoss) throws Exception {
        Path ckpt = dir.resolve("checkpoints").resolve(String.format("ckpt-%012d", update));
        Files.createDirectories(ckpt);
        ModelSnapshotFiles.write(DeployTest.randomSnapshot("relu", seed), ckpt);
        var validation = new ValidationMetrics("j", update, update * 10, 6, valLoss, 0.9, 0);
        new CheckpointManifest(CheckpointManifest.FORMAT, CheckpointManifest.newId(update), "j", update, update * 10,
                null, System.currentTimeMillis(), good, List.of(), null, null, null, validation, null)
                .withFilesOf(ckpt).writeTo(ckpt);
        return ckpt;
    }

    @Test
    void servesTheFirstGoodCheckpointThenOnlyBetterOnes() throws Exception {
        ValidationSet validation = new ValidationSet(100); // no rows yet: checkpoints' metrics decide, seeded rows verify
        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newHttpClient();
        try {
            Events.registerCodecs(vertx);
            LinkedBlockingQueue<ModelPromotion> decisions = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<ModelDeployed> deployed = new LinkedBlockingQueue<>();
            vertx.eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> decisions.add(m.body()));
            vertx.eventBus().<ModelDeployed>consumer(Addresses.MODEL_DEPLOYED, m -> deployed.add(m.body()));
            vertx.eventBus().consumer(Addresses.TRAINER_CONTROL,
                    m -> m.fail(500, "the trainer must not be asked during training"));
            DeployVerticle deploy = new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0, validation,
                    new DeploySettings(10, 0, "val_loss", "min", 0, 2)).configHash("sha256:abc");
            vertx.deployVerticle(deploy).await(30, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + deploy.port();

            save(vertx, checkpoint(10, 1, true, 0.5));
            ModelPromotion first = decisions.poll(60, TimeUnit.SECONDS);
            assertEquals("model_promoted", first.eventType(), first.reason());
            assertEquals("v000000010", first.version());
            assertEquals("v000000010", version(http, base));

            save(vertx, checkpoint(20, 2, true, 0.6));
            ModelPromotion worse = decisions.poll(60, TimeUnit.SECONDS);
            assertEquals("model_rejected", worse.eventType());
            assertEquals(0.6, worse.value());
            assertEquals(0.5, worse.servingValue());
            assertEquals("v000000010", version(http, base), "the better version keeps serving");

            save(vertx, checkpoint(30, 3, false, 0.1)); // not good: never a candidate, however good its metric
            Thread.sleep(300);
            Path suspect = checkpoint(40, 4, true, 0.1);
            Files.writeString(suspect.resolve(CheckpointManifest.SUSPECT_FILE), "critical alert after it was saved");
            save(vertx, suspect);
            Thread.sleep(300);
            save(vertx, checkpoint(50, 5, true, 0.3));
            ModelPromotion better = decisions.poll(60, TimeUnit.SECONDS);
            assertEquals("model_promoted", better.eventType(), better.reason());
            assertEquals("v000000050", better.version(), "30 and 40 were passed over");
            assertEquals("v000000050", version(http, base));

            List<ModelDeployed> outcomes = List.of(deployed.take(), deployed.take(), deployed.take());
            assertEquals(List.of(true, false, true), outcomes.stream().map(ModelDeployed::served).toList());
            assertEquals(List.of("promoted", "rejected", "promoted"), outcomes.stream().map(ModelDeployed::decision)
                    .toList(), "the rejected one leaves the better version serving: a decision, not a failure");
            assertTrue(outcomes.stream().allMatch(ModelDeployed::modelServes));
            assertTrue(outcomes.stream().allMatch(d -> d.parityMaxAbsDiff() < 1e-6 && d.rowsCompared() == 256));
            assertEquals(0, deployed.size());

            JsonArray versions = new JsonObject(get(http, base + "/v1/model")).getJsonArray("versions");
            assertEquals(2, versions.size(), "keep: 2 " + versions.encode());
            assertEquals("v000000010", versions.getJsonObject(0).getString("version"),
                    "the rejected v20 went first, the promoted v10 stays to roll back to: " + versions.encode());
            assertEquals("promoted", versions.getJsonObject(0).getString("status"));
            JsonObject serving = versions.getJsonObject(1);
            assertEquals("promoted", serving.getString("status"));
            assertTrue(serving.getBoolean("serving"));
            Path onnx = dir.resolve("models/v000000050/model.onnx");
            var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
            try (var session = env.createSession(Files.readAllBytes(onnx))) {
                var meta = session.getMetadata().getCustomMetadata();
                assertEquals("j", meta.get("streamtrain.job"));
                assertEquals("v000000050", meta.get("streamtrain.version"));
                assertEquals("50", meta.get("streamtrain.update"));
                assertEquals("500", meta.get("streamtrain.samples"));
                assertEquals("sha256:abc", meta.get("streamtrain.config_hash"));
                assertEquals("[]", meta.get("streamtrain.offsets"));
                assertEquals(0.3, new JsonObject(meta.get("streamtrain.validation")).getDouble("loss"));
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void withValidationRowsBothVersionsAreJudgedOnTheRowsHeldNow() throws Exception {
        ValidationSet validation = new ValidationSet(6);
        validation.add(RegressionRollbackTest.rows(2, 0)); // the stream now: rows model 2 gets right
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            LinkedBlockingQueue<ModelPromotion> decisions = new LinkedBlockingQueue<>();
            vertx.eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> decisions.add(m.body()));
            vertx.deployVerticle(new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0, validation,
                    new DeploySettings(10, 0, "val_loss", "min", 0, 5))).await(30, TimeUnit.SECONDS);
            save(vertx, checkpoint(10, 1, true, 0.1)); // recorded long ago on other rows: looks good
            assertTrue(decisions.poll(60, TimeUnit.SECONDS).promoted());
            save(vertx, checkpoint(20, 2, true, 0.9)); // recorded as worse, yet right on the rows held now
            ModelPromotion second = decisions.poll(60, TimeUnit.SECONDS);
            assertTrue(second.promoted(), second.reason());
            assertTrue(second.reason().contains("both on the 6 validation rows held now"), second.reason());
            assertTrue(second.value() < second.servingValue(), second.toString());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aShadowPeriodPromotesOnlyWhatStillBeatsTheServingVersionOnLiveData() throws Exception {
        ValidationSet validation = new ValidationSet(6);
        validation.add(RegressionRollbackTest.rows(2, 0)); // rows model 2 gets right
        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newHttpClient();
        try {
            Events.registerCodecs(vertx);
            LinkedBlockingQueue<ModelPromotion> decisions = new LinkedBlockingQueue<>();
            vertx.eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> decisions.add(m.body()));
            DeployVerticle deploy = new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0, validation,
                    new DeploySettings(10, 0, "val_loss", "min", 0, 5, 0, 2));
            vertx.deployVerticle(deploy).await(30, TimeUnit.SECONDS);
            String predict = "http://127.0.0.1:" + deploy.port() + "/v1/predict";
            save(vertx, checkpoint(10, 1, true, 0.5));
            assertTrue(decisions.poll(60, TimeUnit.SECONDS).promoted(), "the first serves at once");

            save(vertx, checkpoint(20, 2, true, 0.5)); // better on the rows held now: into the shadow
            Thread.sleep(200);
            validation.add(RegressionRollbackTest.rows(1, 0)); // the stream moves to rows model 1 gets right
            ModelPromotion inShadow = shadowed(vertx, http, predict, decisions, "v000000010");
            assertFalse(inShadow.promoted(), inShadow.reason());
            assertTrue(inShadow.reason().startsWith("in shadow for 2 s: val_loss"), inShadow.reason());
            assertTrue(inShadow.reason().contains("live rows mirrored, 0 failed"), inShadow.reason());

            validation.add(RegressionRollbackTest.rows(2, 0)); // and back
            save(vertx, checkpoint(30, 2, true, 0.5));
            ModelPromotion after = shadowed(vertx, http, predict, decisions, "v000000010");
            assertTrue(after.promoted(), after.reason());
            assertTrue(after.reason().startsWith("in shadow for 2 s"), after.reason());
            assertEquals("v000000030", deploy.serving().version());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** Evaluations and live requests while a candidate is in the shadow (answers always from {@code serving}). */
    private static ModelPromotion shadowed(Vertx vertx, HttpClient http, String predict,
            LinkedBlockingQueue<ModelPromotion> decisions, String serving) throws Exception {
        String body = "{\"rows\": [[1, 2, 3, 4, 5], [0, 0, 1, 0, 0]]}";
        for (int i = 0; i < 100; i++) {
            vertx.eventBus().publish(Addresses.VALIDATION_METRICS, new ValidationMetrics("j", 1, 1, 6, 0.5, 0.5, 0));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(predict))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            String answered = new JsonObject(r.body()).getString("model_version");
            if (!answered.equals(serving)) { // only once the trial is over and the candidate promoted
                ModelPromotion d = decisions.poll(10, TimeUnit.SECONDS);
                assertTrue(d != null && d.promoted() && d.version().equals(answered), "the shadow answered: " + d);
                return d;
            }
            ModelPromotion d = decisions.poll(50, TimeUnit.MILLISECONDS);
            if (d != null) {
                return d;
            }
        }
        throw new AssertionError("no decision after the shadow period");
    }

    @Test
    void aRestartServesAtOnceWhatServedBefore() throws Exception {
        Vertx first = Vertx.vertx();
        try {
            Events.registerCodecs(first);
            LinkedBlockingQueue<ModelPromotion> decisions = new LinkedBlockingQueue<>();
            first.eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> decisions.add(m.body()));
            first.deployVerticle(new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0, new ValidationSet(10),
                    new DeploySettings(10, 0, "val_loss", "min", 0, 5))).await(30, TimeUnit.SECONDS);
            promoteTwo(first, dir, decisions);
        } finally {
            first.close().await(30, TimeUnit.SECONDS);
        }
        Vertx again = Vertx.vertx();
        try {
            DeployVerticle restarted = new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0,
                    new ValidationSet(10), new DeploySettings(10, 0, "val_loss", "min", 0, 5));
            again.deployVerticle(restarted).await(30, TimeUnit.SECONDS);
            assertEquals("v000000020", restarted.serving().version(), "before any checkpoint of the new run");
            JsonObject model = new JsonObject(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + restarted.port() + "/v1/model")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("v000000020", model.getString("version"));
            assertEquals(2, model.getJsonArray("versions").size());
        } finally {
            again.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void exportsTheNewestCheckpointOnDemand() throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newHttpClient();
        try {
            Events.registerCodecs(vertx);
            DeployVerticle deploy = new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0,
                    new ValidationSet(10), new DeploySettings(0, 0, "val_loss", "min", 0, 5)).controlToken("t");
            vertx.deployVerticle(deploy).await(30, TimeUnit.SECONDS);
            String export = "http://127.0.0.1:" + deploy.port() + "/v1/model/export";
            HttpResponse<String> none = post(http, export, "t");
            assertEquals(409, none.statusCode(), none.body());
            assertTrue(none.body().contains("no checkpoint with training in it has been saved yet"), none.body());
            save(vertx, checkpoint(10, 1, true, 0.5));
            save(vertx, checkpoint(20, 2, true, 0.4));
            Thread.sleep(300); // no cadence: nothing is exported until asked
            assertEquals(null, deploy.serving());
            assertEquals(401, post(http, export, "wrong").statusCode());
            HttpResponse<String> now = post(http, export, "t");
            assertEquals(200, now.statusCode(), now.body());
            assertEquals("v000000020", new JsonObject(now.body()).getString("version"), "the newest checkpoint");
            assertTrue(new JsonObject(now.body()).getBoolean("served"), now.body());
            assertEquals("v000000020", deploy.serving().version());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDamagedFinalCheckpointIsAnsweredNotWaitedFor() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            LinkedBlockingQueue<ModelDeployed> deployed = new LinkedBlockingQueue<>();
            vertx.eventBus().<ModelDeployed>consumer(Addresses.MODEL_DEPLOYED, m -> deployed.add(m.body()));
            vertx.deployVerticle(new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0, new ValidationSet(10),
                    DeploySettings.defaults(true))).await(30, TimeUnit.SECONDS);
            Path ckpt = checkpoint(30, 3, true, 0.2);
            Files.writeString(ckpt.resolve(ModelSnapshotFiles.PARAMETERS_FILE), "damaged");
            vertx.eventBus().publish(Addresses.TRAINING_FINISHED, new dev.streamtrain.core.events.TrainingFinished(
                    "j", 30, 300, 0, new dev.streamtrain.core.events.TrainerTime(1, 0, 0, 0, 0), null,
                    ckpt.toString(), List.of(), "end_of_stream"));
            ModelDeployed outcome = deployed.poll(60, TimeUnit.SECONDS);
            assertTrue(outcome != null && !outcome.served(), "a bounded run gets its answer: " + outcome);
            assertTrue(outcome.message().contains("does not match its checksum"), outcome.message());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> post(HttpClient http, String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Saves good checkpoints v10 (val_loss 0.5) and v20 (0.3) under {@code dir}; both get promoted. */
    static void promoteTwo(Vertx vertx, Path dir, LinkedBlockingQueue<ModelPromotion> decisions) throws Exception {
        ContinuousDeployTest checkpoints = new ContinuousDeployTest();
        checkpoints.dir = dir;
        save(vertx, checkpoints.checkpoint(10, 1, true, 0.5));
        assertTrue(decisions.poll(60, TimeUnit.SECONDS).promoted());
        save(vertx, checkpoints.checkpoint(20, 2, true, 0.3));
        assertTrue(decisions.poll(60, TimeUnit.SECONDS).promoted());
    }

    static void save(Vertx vertx, Path ckpt) {
        long update = Long.parseLong(ckpt.getFileName().toString().substring(5));
        vertx.eventBus().publish(Addresses.CHECKPOINT_SAVED, new CheckpointSaved("j", update, ckpt.toString(),
                List.of()));
    }

    private static String version(HttpClient http, String base) throws Exception {
        return new JsonObject(get(http, base + "/v1/model")).getString("version");
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
