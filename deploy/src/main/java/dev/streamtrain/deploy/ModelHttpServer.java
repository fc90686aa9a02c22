package dev.streamtrain.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model server: {@code POST /v1/predict} ({@code {"rows": [[...], ...]}} in; probabilities and arg-max classes,
 * or regression predictions, out) and {@code GET /v1/model} (version, update count, validation metrics, parity). Answers 503 until a verified
 * model is set. Inference runs off the event loop.
 */
public final class ModelHttpServer {
    /** Largest request body accepted. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private final Vertx vertx;
    private final AtomicReference<ServedModel> current = new AtomicReference<>();
    private HttpServer server;
    private java.util.function.Supplier<JsonArray> versions = JsonArray::new;

    public ModelHttpServer(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Binds; the future yields the actual port (useful with port 0). */
    public Future<Integer> listen(String host, int port) {
        return vertx.createHttpServer().requestHandler(this::handle).listen(port, host).map(s -> {
            server = s;
            return s.actualPort();
        });
    }

    /**
     * Serves this model from now on (hot swap): requests that start later get it; requests in flight finish on the
     * model they started with, whose session is closed after the last of them.
     */
    public void serve(ServedModel model) {
        ServedModel before = current.getAndSet(model);
        if (before != null && before.onnx() != model.onnx()) {
            before.onnx().retire();
        }
    }

    /** Lists the versions on disk for {@code GET /v1/model} (called on the event loop). */
    public void versions(java.util.function.Supplier<JsonArray> versions) {
        this.versions = versions;
    }

    /** The serving model with its session counted as in use ({@link OnnxModel#release} after), or null. */
    private ServedModel acquire() {
        while (true) {
            ServedModel m = current.get();
            if (m == null || m.onnx().acquire()) {
                return m;
            }
            // retired between the read and the acquire: a newer model serves, take that one
        }
    }

    /** The model being served, or null. */
    public ServedModel current() {
        return current.get();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        if (path.equals("/metrics") && req.method() == HttpMethod.GET) {
            vertx.eventBus().<String>request(dev.streamtrain.core.events.Addresses.PROMETHEUS_SCRAPE, "scrape")
                    .onSuccess(m -> req.response().putHeader("content-type", "text/plain; version=0.0.4")
                            .end(m.body()))
                    .onFailure(e -> reply(req, 503, error("no metrics source: " + e.getMessage())));
        } else if (path.equals("/v1/model") && req.method() == HttpMethod.GET) {
            withModel(req, model -> reply(req, 200, describe(model).put("versions", versions.get())));
        } else if (path.equals("/v1/predict") && req.method() == HttpMethod.POST) {
            req.body().onSuccess(body -> withModel(req, model -> predict(req, model, body)))
                    .onFailure(e -> reply(req, 400, error(e.getMessage())));
        } else if (path.equals("/v1/model") || path.equals("/v1/predict")) {
            reply(req, 405, error("method " + req.method() + " not allowed on " + path));
        } else {
            reply(req, 404, error("no such endpoint; try GET /v1/model, POST /v1/predict or GET /metrics"));
        }
    }

    private void withModel(HttpServerRequest req, java.util.function.Consumer<ServedModel> action) {
        ServedModel model = current.get();
        if (model == null) {
            reply(req, 503, error("no verified model is being served yet"));
        } else {
            action.accept(model);
        }
    }

    private void predict(HttpServerRequest req, ServedModel model, Buffer body) {
        float[] x;
        int rows;
        try {
            if (body.length() > MAX_BODY_BYTES) {
                throw new IllegalArgumentException("request body over " + MAX_BODY_BYTES + " bytes");
            }
            JsonArray rowsJson = new JsonObject(body).getJsonArray("rows");
            if (rowsJson == null || rowsJson.isEmpty()) {
                throw new IllegalArgumentException("expected {\"rows\": [[" + model.onnx().inputs() + " numbers], ...]}");
            }
            rows = rowsJson.size();
            int width = model.onnx().inputs();
            x = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                JsonArray row = rowsJson.getJsonArray(r);
                if (row == null || row.size() != width) {
                    throw new IllegalArgumentException("row " + r + " must hold " + width + " numbers");
                }
                for (int c = 0; c < width; c++) {
                    Object v = row.getValue(c);
                    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                        throw new IllegalArgumentException("row " + r + " column " + c + " is not a finite number");
                    }
                    x[r * width + c] = n.floatValue();
                }
            }
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            reply(req, 400, error(e.getMessage()));
            return;
        }
        final float[] input = x;
        final int n = rows;
        ServedModel answering = acquire(); // perhaps newer than the one the request was read for: same inputs
        vertx.executeBlocking(() -> {
            try {
                return answering.onnx().predict(input, n);
            } finally {
                answering.onnx().release();
            }
        }, false).onSuccess(out -> {
            int bad = firstNonFiniteRow(out, answering.classes());
            if (bad >= 0) {
                reply(req, 422, error("row " + bad + " makes the model's output not finite (values too large for"
                        + " float32 arithmetic?); nothing was predicted"));
            } else {
                reply(req, 200, predictions(answering, out, n));
            }
        }).onFailure(e -> reply(req, 500, error("inference failed: " + e.getMessage())));
    }

    private static int firstNonFiniteRow(float[] out, int perRow) {
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i])) {
                return i / perRow;
            }
        }
        return -1;
    }

    /**
     * softmax: {@code probabilities} and arg-max {@code classes}; sigmoid: {@code probabilities} and 0/1
     * {@code labels} per output (threshold 0.5); identity: {@code predictions}.
     */
    private static JsonObject predictions(ServedModel model, float[] out, int rows) {
        JsonArray values = new JsonArray();
        JsonArray decisions = new JsonArray();
        int k = model.classes();
        for (int r = 0; r < rows; r++) {
            JsonArray row = new JsonArray();
            JsonArray rowLabels = new JsonArray();
            int best = 0;
            for (int c = 0; c < k; c++) {
                float v = out[r * k + c];
                row.add(v);
                rowLabels.add(v > 0.5f ? 1 : 0);
                if (v > out[r * k + best]) {
                    best = c;
                }
            }
            values.add(row);
            decisions.add(model.head().equals("softmax") ? best : rowLabels);
        }
        JsonObject json = new JsonObject().put("model_version", model.version());
        return switch (model.head()) {
            case "softmax" -> json.put("classes", decisions).put("probabilities", values);
            case "sigmoid" -> json.put("labels", decisions).put("probabilities", values);
            default -> json.put("predictions", values);
        };
    }

    private static JsonObject describe(ServedModel m) {
        JsonObject json = new JsonObject().put("version", m.version()).put("updates", m.updates())
                .put("inputs", m.onnx().inputs()).put("outputs", m.classes()).put("head", m.head())
                .put("onnx_path", m.onnxPath())
                .put("parity_max_abs_diff", m.parityMaxAbsDiff());
        if (m.validation() != null) {
            json.put("validation", new JsonObject().put("loss", m.validation().loss())
                    .put("accuracy", m.validation().accuracy()).put("rows", m.validation().rows())
                    .put("update", m.validation().update()));
        }
        return json;
    }

    private static JsonObject error(String message) {
        return new JsonObject().put("error", message);
    }

    private static void reply(HttpServerRequest req, int status, JsonObject body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
}
