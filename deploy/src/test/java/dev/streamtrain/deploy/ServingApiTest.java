package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.DeploySettings;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.core.events.ModelRolledBack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving API's answers to bad requests, and serving rollback behind a bearer token. */
class ServingApiTest {
    @TempDir
    Path dir;

    @Test
    void badRequestsAreNamedInTheProductsWordsAndRollbackNeedsTheToken() throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newHttpClient();
        try {
            Events.registerCodecs(vertx);
            LinkedBlockingQueue<ModelPromotion> decisions = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<ModelRolledBack> rollbacks = new LinkedBlockingQueue<>();
            vertx.eventBus().<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> decisions.add(m.body()));
            vertx.eventBus().<ModelRolledBack>consumer(Addresses.MODEL_ROLLED_BACK, m -> rollbacks.add(m.body()));
            DeployVerticle deploy = new DeployVerticle("j", dir.resolve("models"), "127.0.0.1", 0,
                    new ValidationSet(10), new DeploySettings(10, 0, "val_loss", "min", 0, 5)).controlToken("s3cret");
            vertx.deployVerticle(deploy).await(30, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + deploy.port();
            ContinuousDeployTest.promoteTwo(vertx, dir, decisions);

            assertError(post(http, base + "/v1/predict", "x".repeat(ModelHttpServer.MAX_BODY_BYTES + 1), null), 413,
                    "the body is over");
            assertError(post(http, base + "/v1/predict", "not json", null), 400, "the body is not a JSON object");
            assertError(post(http, base + "/v1/predict", "[1, 2]", null), 400, "the body is not a JSON object");
            assertError(post(http, base + "/v1/predict", "null", null), 400, "the body is not a JSON object");
            assertError(post(http, base + "/v1/predict", "{\"rows\": \"x\"}", null), 400, "no rows");
            assertError(post(http, base + "/v1/predict", "{\"rows\": [[1, 2]]}", null), 400,
                    "row 0 must hold 5 numbers, it holds 2");
            assertError(post(http, base + "/v1/predict", "{\"rows\": [[1, 2, 3, 4, \"5\"]]}", null), 400,
                    "row 0 column 4 is not a finite number");
            assertError(post(http, base + "/v1/predict", "{\"rows\": [[1, 2, NaN, 4, 5]]}", null), 400,
                    "row 0 column 2 is not a finite number"); // Python's json.dumps writes NaN bare
            assertError(post(http, base + "/v1/predict", "{\"rows\": [[0, 0, 0, 0, 0], [3e38, 3e38, 3e38, 3e38,"
                    + " 3e38]]}", null), 422, "row 1 makes the model's output not finite");
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/predict")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertError(get, 405, "method GET not allowed on /v1/predict");
            assertError(post(http, base + "/nope", "{}", null), 404, "no such endpoint");

            float[] two = DeployTest.gauss(new java.util.Random(5), 10);
            var x = java.util.Map.of("x", dev.streamtrain.core.wire.Tensor.ofFloats(new long[] {2, 5}, two));
            for (byte[] batch : List.of(dev.streamtrain.core.wire.Safetensors.encode(x),
                    dev.streamtrain.core.wire.Npz.encode(x))) {
                HttpResponse<String> r = postBytes(http, base + "/v1/predict", batch);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(2, new JsonObject(r.body()).getJsonArray("probabilities").size());
            }
            assertError(postBytes(http, base + "/v1/predict", dev.streamtrain.core.wire.Safetensors.encode(java.util.Map.of(
                    "x", dev.streamtrain.core.wire.Tensor.ofFloats(new long[] {2, 4}, new float[8])))), 400,
                    "tensor 'x' has shape [2, 4]; the model takes [rows, 5]");
            assertError(postBytes(http, base + "/v1/predict", new byte[] {1, 2, 3}), 400,
                    "the body is not a readable safetensors document");
            assertError(post(http, base + "/v1/model/rollback", "", null), 401, "needs 'Authorization: Bearer");
            assertError(post(http, base + "/v1/model/rollback", "", "wrong"), 401, "not the one");
            HttpResponse<String> back = post(http, base + "/v1/model/rollback", "", "s3cret");
            assertEquals(200, back.statusCode(), back.body());
            assertEquals("v000000010", new JsonObject(back.body()).getString("serving"));
            ModelRolledBack event = rollbacks.poll(30, TimeUnit.SECONDS);
            assertEquals("v000000020", event.fromVersion());
            assertEquals("v000000010", event.toVersion());
            JsonObject model = new JsonObject(get(http, base + "/v1/model"));
            assertEquals("v000000010", model.getString("version"));
            assertEquals("rolled_back", model.getJsonArray("versions").getJsonObject(1).getString("status"));
            HttpResponse<String> predicted = post(http, base + "/v1/predict", "{\"rows\": [[1, 2, 3, 4, 5]]}", null);
            assertEquals("v000000010", new JsonObject(predicted.body()).getString("model_version"));
            assertError(post(http, base + "/v1/model/rollback", "", "s3cret"), 409,
                    "no version promoted before v000000010 is on disk to roll back to");
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String message) {
        assertEquals(status, r.statusCode(), r.body());
        String error = new JsonObject(r.body()).getString("error");
        assertTrue(error.startsWith(message) || error.contains(message), error);
        assertFalse(r.body().matches("(?s).*(Exception|io\\.vertx|java\\.|\\tat ).*"), "no internals: " + r.body());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body, String token)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postBytes(HttpClient http, String url, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
