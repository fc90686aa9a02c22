package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ModelDeployed;
import dev.streamtrain.core.events.PredictReply;
import dev.streamtrain.core.events.PredictRequest;
import dev.streamtrain.core.events.TrainerTime;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.model.ReferenceForward;
import dev.streamtrain.core.wire.Tensor;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployTest {
    static ModelSnapshot randomSnapshot(String activation, long seed) {
        ModelSpec spec = new ModelSpec(5, List.of(7, 6), 3, activation);
        Random rnd = new Random(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        List<Integer> w = spec.widths();
        for (int l = 0; l < spec.layerCount(); l++) {
            p.put(ModelSpec.weightName(l), Tensor.ofFloats(new long[] {w.get(l + 1), w.get(l)}, gauss(rnd, w.get(l + 1) * w.get(l))));
            p.put(ModelSpec.biasName(l), Tensor.ofFloats(new long[] {w.get(l + 1)}, gauss(rnd, w.get(l + 1))));
        }
        return new ModelSnapshot(spec, p, 42);
    }

    static float[] gauss(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void onnxRuntimeAgreesWithTheReferenceForwardPass() throws Exception {
        for (String activation : ModelSpec.ACTIVATIONS) {
            ModelSnapshot s = randomSnapshot(activation, 3);
            float[] x = gauss(new Random(9), 4 * 5);
            try (OnnxModel model = new OnnxModel(OnnxExporter.export(s, "test"), 5)) {
                float[] ort = model.predict(x, 4);
                float[] ref = ReferenceForward.probabilities(s, x, 4);
                assertTrue(Parity.maxAbsDiff(ort, ref) < 1e-6, activation + ": " + Parity.maxAbsDiff(ort, ref));
            }
        }
    }

    @Test
    void batchNormAndResidualBlocksExportExactly() throws Exception {
        ModelSpec spec = new ModelSpec(5, List.of(6, 6, 6), 3, "relu", true, 0.3, true, "softmax",
                dev.streamtrain.core.model.Normalization.none());
        Random rnd = new Random(4);
        Map<String, Tensor> p = new LinkedHashMap<>();
        List<Integer> w = spec.widths();
        for (int l = 0; l < spec.layerCount(); l++) {
            p.put(ModelSpec.weightName(l), Tensor.ofFloats(new long[] {w.get(l + 1), w.get(l)}, gauss(rnd, w.get(l + 1) * w.get(l))));
            p.put(ModelSpec.biasName(l), Tensor.ofFloats(new long[] {w.get(l + 1)}, gauss(rnd, w.get(l + 1))));
            if (l < spec.hidden().size()) {
                float[] var = gauss(rnd, 6);
                for (int i = 0; i < 6; i++) {
                    var[i] = 0.5f + var[i] * var[i];
                }
                p.put(ModelSpec.normWeightName(l), Tensor.ofFloats(new long[] {6}, gauss(rnd, 6)));
                p.put(ModelSpec.normBiasName(l), Tensor.ofFloats(new long[] {6}, gauss(rnd, 6)));
                p.put(ModelSpec.runningMeanName(l), Tensor.ofFloats(new long[] {6}, gauss(rnd, 6)));
                p.put(ModelSpec.runningVarName(l), Tensor.ofFloats(new long[] {6}, var));
            }
        }
        ModelSnapshot s = new ModelSnapshot(spec, p, 7);
        float[] x = gauss(new Random(8), 4 * 5);
        try (OnnxModel model = new OnnxModel(OnnxExporter.export(s, "test"), 5)) {
            double diff = Parity.maxAbsDiff(model.predict(x, 4), ReferenceForward.probabilities(s, x, 4));
            assertTrue(diff < 1e-6, "BatchNormalization + Add + dropout-free inference: " + diff);
        }
    }

    @Test
    void inputNormalizationIsPartOfTheGraphSoServingTakesRawUnits() throws Exception {
        var standard = new dev.streamtrain.core.model.Normalization("standard", null);
        ModelSnapshot plain = randomSnapshot("relu", 5);
        float[] units = {1e-3f, 1f, 300f, 5e4f, -2e6f};
        float[] raw = gauss(new Random(10), 64 * 5);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (raw[i] + 3) * units[i % 5];
        }
        var stats = new dev.streamtrain.core.model.FeatureStatistics(standard, 5);
        stats.observe(raw, 64);
        Map<String, Tensor> p = new LinkedHashMap<>(plain.parameters());
        p.put(dev.streamtrain.core.model.Normalization.SHIFT, Tensor.ofFloats(new long[] {5}, stats.shift()));
        p.put(dev.streamtrain.core.model.Normalization.SCALE, Tensor.ofFloats(new long[] {5}, stats.scale()));
        p.putAll(stats.toTensors());
        ModelSnapshot s = new ModelSnapshot(plain.spec().withNormalization(standard), p, 42);
        // the same rows standardised by hand go through the model without the normalization
        float[] scaled = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            scaled[i] = (raw[i] - stats.shift()[i % 5]) * stats.scale()[i % 5];
        }
        try (OnnxModel model = new OnnxModel(OnnxExporter.export(s, "test"), 5)) {
            float[] ort = model.predict(raw, 64);
            var verdict = Parity.judge(ort, ReferenceForward.withRoundingBound(s, raw, 64), 3);
            assertTrue(verdict.passed() && verdict.rowsJudged() == 64, "ONNX Runtime within rounding: " + verdict);
            double byHand = Parity.maxAbsDiff(ort, ReferenceForward.probabilities(plain, scaled, 64));
            assertTrue(byHand < 1e-5, "serving raw units equals serving hand-standardised rows: " + byHand);
        }
    }

    @Test
    void sigmoidAndIdentityHeadsExportExactly() throws Exception {
        for (String head : List.of("sigmoid", "identity")) {
            ModelSnapshot base = randomSnapshot("tanh", 12);
            ModelSnapshot s = new ModelSnapshot(new ModelSpec(5, List.of(7, 6), 3, "tanh", false, 0, false, head,
                    dev.streamtrain.core.model.Normalization.none()),
                    base.parameters(), 1);
            float[] x = gauss(new Random(13), 3 * 5);
            try (OnnxModel model = new OnnxModel(OnnxExporter.export(s, "test"), 5)) {
                float[] ort = model.predict(x, 3);
                assertTrue(Parity.maxAbsDiff(ort, ReferenceForward.probabilities(s, x, 3)) < 1e-6, head);
                if (head.equals("identity")) {
                    assertTrue(java.util.Arrays.stream(new double[] {ort[0], ort[1], ort[2]}).anyMatch(v -> v < 0 || v > 1),
                            "identity outputs are raw values");
                }
            }
        }
    }

    @Test
    void parityIsInfiniteForNaNOrShapeMismatch() {
        assertEquals(Double.POSITIVE_INFINITY, Parity.maxAbsDiff(new float[] {Float.NaN}, new float[] {0}));
        assertEquals(Double.POSITIVE_INFINITY, Parity.maxAbsDiff(new float[] {0}, new float[] {0, 0}));
        assertEquals(0.5, Parity.maxAbsDiff(new float[] {1, 2}, new float[] {1, 2.5f}), 1e-9);
    }

    @Test
    void exportsVerifiesAgainstTheTrainerServesAndRefusesADisagreeingExport(@TempDir Path dir) throws Exception {
        ModelSnapshot s = randomSnapshot("relu", 5);
        Path checkpoint = dir.resolve("ckpt");
        Files.createDirectories(checkpoint);
        ModelSnapshotFiles.write(s, checkpoint);
        ValidationSet validation = new ValidationSet(100);
        validation.add(new MiniBatch(6, 5, gauss(new Random(1), 30), new long[6], List.of()));

        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newHttpClient();
        try {
            Events.registerCodecs(vertx);
            float[] skew = {0f};
            // Stand-in for the trainer's predict endpoint: the independent reference, optionally skewed.
            vertx.eventBus().<dev.streamtrain.core.control.TrainerCommand>consumer(Addresses.TRAINER_CONTROL, m -> {
                var request = ((dev.streamtrain.core.control.TrainerCommand.Predict) m.body()).request();
                float[] p = ReferenceForward.probabilities(s, request.x(), request.rows());
                p[0] += skew[0];
                m.reply(new dev.streamtrain.core.control.CommandReply.Predicted(1,
                        new PredictReply(request.rows(), 3, p)));
            });
            DeployVerticle deploy = new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0, validation,
                    dev.streamtrain.core.config.DeploySettings.defaults(true));
            vertx.deployVerticle(deploy).await(30, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + deploy.port();
            assertEquals(503, get(http, base + "/v1/model").statusCode(), "nothing served before verification");

            var validationMetrics = new ValidationMetrics("j", 42, 420, 6, 0.3, 0.97, 0);
            ModelDeployed ok = finish(vertx, new TrainingFinished("j", 42, 420, 0, new TrainerTime(1, 0, 0, 0, 0),
                    validationMetrics,
                    checkpoint.toString(), List.of(), "end_of_stream"));
            assertTrue(ok.served(), ok.message());
            assertEquals("promoted", ok.decision());
            assertEquals(6, ok.rowsCompared());
            assertTrue(ok.parityMaxAbsDiff() <= Parity.TOLERANCE);
            assertTrue(Files.exists(Path.of(ok.onnxPath())));

            JsonObject model = new JsonObject(get(http, base + "/v1/model").body());
            assertEquals("v000000042", model.getString("version"));
            assertEquals(0.97, model.getJsonObject("validation").getDouble("accuracy"));

            float[] row = gauss(new Random(2), 5);
            String body = "{\"rows\": [" + java.util.Arrays.toString(row) + "]}";
            HttpResponse<String> predicted = post(http, base + "/v1/predict", body);
            assertEquals(200, predicted.statusCode(), predicted.body());
            var probs = new JsonObject(predicted.body()).getJsonArray("probabilities").getJsonArray(0);
            float[] expected = ReferenceForward.probabilities(s, row, 1);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], probs.getFloat(c), 1e-6);
            }

            HttpResponse<String> bad = post(http, base + "/v1/predict", "{\"rows\": [[1, 2]]}");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("row 0 must hold 5 numbers"), bad.body());
            assertEquals(400, post(http, base + "/v1/predict", "not json").statusCode());
            assertEquals(404, get(http, base + "/nope").statusCode());

            var alerts = new java.util.concurrent.LinkedBlockingQueue<dev.streamtrain.core.events.Alert>();
            vertx.eventBus().<dev.streamtrain.core.events.Alert>consumer(Addresses.ALERTS, m -> alerts.add(m.body()));
            skew[0] = 1e-3f;
            ModelDeployed refused = finish(vertx, new TrainingFinished("j", 43, 430, 0, new TrainerTime(1, 0, 0, 0, 0),
                    validationMetrics,
                    checkpoint.toString(), List.of(), "end_of_stream"));
            assertFalse(refused.served());
            assertEquals("failed", refused.decision());
            assertFalse(refused.modelServes(), "a version that failed verification is a failure, whatever else serves");
            assertTrue(refused.message().contains("disagree"), refused.message());
            var alert = alerts.poll(10, TimeUnit.SECONDS);
            assertEquals("export_failed", alert.kind(), "a failed verification is an alert too");
            assertTrue(alert.message().startsWith("v000000043 was not served"), alert.message());
            assertEquals("v000000042", new JsonObject(get(http, base + "/v1/model").body()).getString("version"),
                    "the verified version stays served");

            ModelDeployed nothing = finish(vertx, new TrainingFinished("j", 0, 0, 5, new TrainerTime(1, 0, 0, 0, 0), null,
                    checkpoint.toString(),
                    List.of(), "end_of_stream"));
            assertFalse(nothing.served());
            assertEquals("not_exported", nothing.decision());
            assertTrue(nothing.message().startsWith("nothing trained"), nothing.message());
            assertFalse(Files.exists(dir.resolve("models").resolve("v000000000")), "nothing exported");
            assertEquals("v000000042", new JsonObject(get(http, base + "/v1/model").body()).getString("version"));
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static ModelDeployed finish(Vertx vertx, TrainingFinished finished) throws Exception {
        CompletableFuture<ModelDeployed> result = new CompletableFuture<>();
        var consumer = vertx.eventBus().<ModelDeployed>consumer(Addresses.MODEL_DEPLOYED, m -> result.complete(m.body()));
        consumer.completion().await(10, TimeUnit.SECONDS);
        vertx.eventBus().publish(Addresses.TRAINING_FINISHED, finished);
        try {
            return result.get(60, TimeUnit.SECONDS);
        } finally {
            consumer.unregister();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
