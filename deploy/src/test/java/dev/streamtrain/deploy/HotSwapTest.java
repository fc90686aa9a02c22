package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ReferenceForward;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Hot swap under load: concurrent clients across 24 swaps, no failed request, every reply from the version it names. */
class HotSwapTest {
    private static final int VERSIONS = 25;
    private static final int CLIENTS = 6;

    @Test
    void swapsUnderConcurrentLoadLoseNoRequestAndEveryReplyComesFromTheVersionItNames() throws Exception {
        List<ModelSnapshot> snapshots = new ArrayList<>();
        List<ServedModel> models = new ArrayList<>();
        for (int v = 0; v < VERSIONS; v++) {
            ModelSnapshot s = DeployTest.randomSnapshot(v % 2 == 0 ? "relu" : "tanh", 100 + v);
            snapshots.add(s);
            models.add(new ServedModel(String.format("v%09d", v + 1), v + 1, 3, "softmax",
                    new OnnxModel(OnnxExporter.export(s, "test"), 5), null, 0, ""));
        }
        float[] row = DeployTest.gauss(new Random(7), 5);
        String body = "{\"rows\": [" + java.util.Arrays.toString(row) + "]}";
        Vertx vertx = Vertx.vertx();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            ModelHttpServer server = new ModelHttpServer(vertx);
            int port = server.listen("127.0.0.1", 0).await(30, TimeUnit.SECONDS);
            server.serve(models.get(0));
            HttpClient http = HttpClient.newBuilder().executor(clients).build();
            URI predict = URI.create("http://127.0.0.1:" + port + "/v1/predict");
            AtomicBoolean swapping = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            Map<String, Integer> byVersion = new ConcurrentHashMap<>();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> running = new ArrayList<>();
            ExecutorService load = Executors.newFixedThreadPool(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                running.add(load.submit(() -> {
                    while (swapping.get()) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(predict)
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                                failures.add(r.statusCode() + " " + r.body());
                                continue;
                            }
                            JsonObject json = new JsonObject(r.body());
                            String version = json.getString("model_version");
                            int v = Integer.parseInt(version.substring(1)) - 1;
                            float[] expected = ReferenceForward.probabilities(snapshots.get(v), row, 1);
                            JsonArray probs = json.getJsonArray("probabilities").getJsonArray(0);
                            for (int k = 0; k < 3; k++) {
                                if (Math.abs(expected[k] - probs.getFloat(k)) > 1e-5) {
                                    failures.add(version + " answered with another version's outputs");
                                }
                            }
                            byVersion.merge(version, 1, Integer::sum);
                            answered.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }));
            }
            for (int v = 1; v < VERSIONS; v++) {
                awaitMore(answered, 10); // every version answers some requests
                server.serve(models.get(v));
            }
            awaitMore(answered, 10);
            swapping.set(false);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            load.shutdown();
            assertEquals(List.of(), failures, "no request failed across " + (VERSIONS - 1) + " swaps");
            assertTrue(answered.get() >= VERSIONS * 10, "requests answered: " + answered.get());
            assertTrue(byVersion.size() >= VERSIONS - 1, "versions that answered: " + byVersion.keySet());
            for (int v = 0; v < VERSIONS - 1; v++) {
                assertTrue(models.get(v).onnx().isClosed(), "retired session " + v + " closed after its requests");
            }
            ServedModel last = models.get(VERSIONS - 1);
            assertFalse(last.onnx().isClosed(), "the serving session stays open");
            assertNotNull(server.current());
            assertEquals(last.version(), server.current().version());
            server.close().await(30, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static void awaitMore(AtomicInteger answered, int more) throws InterruptedException {
        int target = answered.get() + more;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answered.get() < target) {
            assertTrue(System.nanoTime() < deadline, "requests stopped being answered at " + answered.get());
            Thread.sleep(2);
        }
    }

    @Test
    void aRetiredSessionClosesWhenItsLastRequestIsDoneAndTakesNoNewOnes() throws Exception {
        OnnxModel m = new OnnxModel(OnnxExporter.export(DeployTest.randomSnapshot("relu", 1), "test"), 5);
        assertTrue(m.acquire());
        assertTrue(m.acquire());
        m.retire();
        assertFalse(m.acquire(), "retired: no new request");
        m.release();
        assertFalse(m.isClosed(), "one request still running");
        m.release();
        assertTrue(m.isClosed(), "closed after the last one");
        OnnxModel idle = new OnnxModel(OnnxExporter.export(DeployTest.randomSnapshot("relu", 2), "test"), 5);
        idle.retire();
        assertTrue(idle.isClosed(), "no request running: closed at once");
    }
}
