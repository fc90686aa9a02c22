package dev.streamtrain.app;

import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.wire.Tensor;
import dev.streamtrain.deploy.ModelHttpServer;
import dev.streamtrain.deploy.OnnxExporter;
import dev.streamtrain.deploy.OnnxModel;
import dev.streamtrain.deploy.ServedModel;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * B4: {@code POST /v1/predict} single-row latency of the default model (MLP 64-128-10) at a fixed concurrency, on the
 * model server over loopback: steady, and while a new version is swapped in every {@value #SWAP_MILLIS} ms (each
 * swap a new ONNX Runtime session, created beside the load as a promotion does); beside ONNX Runtime's own latency
 * for one row in the same process, the baseline. Requests that fail are counted (the target is none).
 */
final class ServeBench {
    static final int CONCURRENCY = 4;
    static final long SWAP_MILLIS = 100;

    /**
     * Latencies in milliseconds.
     *
     * @param onnxP50 ONNX Runtime alone, one row, median
     * @param onnxP99 its 99th percentile
     * @param steadyP50 over HTTP at {@value #CONCURRENCY} clients, no swap
     * @param steadyP99 its 99th percentile
     * @param swapsP50 the same while versions are swapped
     * @param swapsP99 its 99th percentile
     * @param requests requests answered over HTTP
     * @param swaps versions swapped in
     * @param failed requests that did not get a 200
     */
    record Result(double onnxP50, double onnxP99, double steadyP50, double steadyP99, double swapsP50,
            double swapsP99, long requests, int swaps, int failed) {
    }

    private ServeBench() {
    }

    static Result run(int seconds) throws Exception {
        float[] row = new float[64];
        Random pixels = new Random(1);
        for (int i = 0; i < row.length; i++) {
            row[i] = pixels.nextInt(16); // a digits image's scale
        }
        List<Double> alone = new ArrayList<>();
        try (OnnxModel model = model(0)) {
            for (int i = 0; i < 20_000; i++) {
                long t = System.nanoTime();
                model.predict(row, 1);
                alone.add((System.nanoTime() - t) / 1e6);
            }
        }
        Vertx vertx = Vertx.vertx();
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            ModelHttpServer server = new ModelHttpServer(vertx);
            int port = server.listen("127.0.0.1", 0).await(30, TimeUnit.SECONDS);
            server.serve(served(0));
            String body = "{\"rows\": [" + java.util.Arrays.toString(row) + "]}";
            URI uri = URI.create("http://127.0.0.1:" + port + "/v1/predict");
            AtomicInteger failed = new AtomicInteger();
            load(clients, uri, body, seconds, failed, () -> { }); // warm-up: the JIT, the connections
            List<Double> steady = load(clients, uri, body, seconds, failed, () -> { });
            int[] swaps = {0};
            List<Double> swapping = load(clients, uri, body, seconds, failed, () -> {
                try {
                    server.serve(served(++swaps[0]));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            server.close().await(30, TimeUnit.SECONDS);
            return new Result(pct(alone, 50), pct(alone, 99), pct(steady, 50), pct(steady, 99), pct(swapping, 50),
                    pct(swapping, 99), steady.size() + swapping.size(), swaps[0], failed.get());
        } finally {
            clients.shutdownNow();
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** {@link #CONCURRENCY} clients for {@code seconds}; {@code swap} runs every {@value #SWAP_MILLIS} ms meanwhile. */
    private static List<Double> load(ExecutorService clients, URI uri, String body, int seconds, AtomicInteger failed,
            Runnable swap) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        List<Future<?>> all = new ArrayList<>();
        for (int c = 0; c < CONCURRENCY; c++) {
            all.add(clients.submit(() -> {
                HttpRequest request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                while (running.get()) {
                    long t = System.nanoTime();
                    try {
                        if (http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    latencies.add((System.nanoTime() - t) / 1e6);
                }
                return null;
            }));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Thread.sleep(SWAP_MILLIS);
            swap.run();
        }
        running.set(false);
        for (Future<?> f : all) {
            f.get(60, TimeUnit.SECONDS);
        }
        return latencies;
    }

    private static ServedModel served(int version) throws Exception {
        return new ServedModel(String.format("v%09d", version), version, 10, "softmax", model(version), null, 0, "");
    }

    /** The default model with seeded random weights (the weights do not change the latency). */
    private static OnnxModel model(long seed) throws Exception {
        ModelSpec spec = new ModelSpec(64, List.of(128), 10, "relu");
        Random rnd = new Random(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        List<Integer> w = spec.widths();
        for (int l = 0; l < spec.layerCount(); l++) {
            p.put(ModelSpec.weightName(l), Tensor.ofFloats(new long[] {w.get(l + 1), w.get(l)},
                    gauss(rnd, w.get(l + 1) * w.get(l))));
            p.put(ModelSpec.biasName(l), Tensor.ofFloats(new long[] {w.get(l + 1)}, gauss(rnd, w.get(l + 1))));
        }
        return new OnnxModel(OnnxExporter.export(new ModelSnapshot(spec, p, seed), "bench"), 64);
    }

    private static float[] gauss(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return v;
    }

    private static double pct(List<Double> v, int p) {
        List<Double> sorted = new ArrayList<>(v);
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    /** The figure as the bench prints it. */
    static void print(java.io.PrintWriter out, Result r) {
        out.printf("B4 serving: POST /v1/predict, one row, %d clients over loopback (target: no failed request)%n",
                CONCURRENCY);
        out.printf("                                 p50 ms   p99 ms%n");
        out.printf("  ONNX Runtime alone (baseline) %7.3f  %7.3f%n", r.onnxP50(), r.onnxP99());
        out.printf("  HTTP, steady                  %7.3f  %7.3f%n", r.steadyP50(), r.steadyP99());
        out.printf("  HTTP, a swap every %d ms     %7.3f  %7.3f   (%d swaps)%n", SWAP_MILLIS, r.swapsP50(),
                r.swapsP99(), r.swaps());
        out.printf("  %,d requests, %d failed: %s; p99 across swaps %.2fx steady%n", r.requests(), r.failed(),
                r.failed() == 0 ? "met" : "MISSED", r.swapsP99() / r.steadyP99());
    }
}
