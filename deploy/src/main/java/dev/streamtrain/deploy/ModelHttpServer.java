package dev.streamtrain.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The model server (Vert.x Web): {@code POST /v1/predict} ({@link PredictJson}, or a safetensors / npz batch:
 * {@link PredictTensors}), {@code GET /v1/model} (the serving version, its metrics and parity, and every version on
 * disk), the control endpoints {@code POST /v1/model/<name>} behind a bearer token ({@code rollback}, {@code export}:
 * {@link #control}) and {@code GET /metrics}. Answers 503 until a verified model is served.
 * Bodies over {@value #MAX_BODY_BYTES} bytes get 413; every error is JSON {@code {"error": ...}} in the product's
 * words. Inference runs off the event loop, on the session that was serving when it started ({@link #serve}).
 */
public final class ModelHttpServer {
    /** Largest request body accepted (bytes). */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private final Vertx vertx;
    private final AtomicReference<ServedModel> current = new AtomicReference<>();
    private HttpServer server;
    private Supplier<JsonArray> versions = JsonArray::new;
    private dev.streamtrain.core.control.BearerToken token = new dev.streamtrain.core.control.BearerToken("");
    private final java.util.List<java.util.function.Consumer<Router>> mounts = new java.util.ArrayList<>();
    private final Map<String, Supplier<Future<JsonObject>>> controls = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile ShadowTrial shadow;

    public ModelHttpServer(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Binds; the future yields the actual port (useful with port 0). */
    public Future<Integer> listen(String host, int port) {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.get("/metrics").handler(this::metrics);
        router.get("/v1/model").handler(ctx -> withModel(ctx, m -> reply(ctx, 200,
                describe(m).put("versions", versions.get()))));
        router.post("/v1/predict").handler(ctx -> withModel(ctx, m -> predict(ctx, m)));
        router.post("/v1/model/:action").handler(this::control);
        mounts.forEach(m -> m.accept(router));
        router.errorHandler(404, ctx -> reply(ctx, 404, error("no such endpoint; try GET /v1/model, POST /v1/predict,"
                + " POST /v1/model/rollback, POST /v1/model/export or GET /metrics"
                + (mounts.isEmpty() ? "" : ", or GET / for the dashboard"))));
        router.errorHandler(405, ctx -> reply(ctx, 405, error("method " + ctx.request().method() + " not allowed on "
                + ctx.request().path())));
        router.errorHandler(413, ctx -> reply(ctx, 413, error("the body is over " + MAX_BODY_BYTES + " bytes")));
        router.errorHandler(500, ctx -> reply(ctx, 500, error("the server failed to answer this request")));
        return vertx.createHttpServer().requestHandler(router).listen(port, host).map(s -> {
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
    public void versions(Supplier<JsonArray> versions) {
        this.versions = versions;
    }

    /** The bearer token the control endpoints ({@link #control}) require. */
    public void token(String token) {
        this.token = new dev.streamtrain.core.control.BearerToken(token);
    }

    /** Adds routes of another component (the dashboard) to this server's router, behind the same body limit. */
    public void mount(java.util.function.Consumer<Router> routes) {
        mounts.add(routes);
    }

    /** Enables {@code POST /v1/model/<name>} for requests bearing the token; {@code action} does it. */
    public void control(String name, Supplier<Future<JsonObject>> action) {
        controls.put(name, action);
    }

    /** Runs every answered request through this trial's candidate too, off the answer's path (null: none). */
    void shadow(ShadowTrial trial) {
        this.shadow = trial;
    }

    /** The model being served, or null. */
    public ServedModel current() {
        return current.get();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void metrics(RoutingContext ctx) {
        vertx.eventBus().<String>request(dev.streamtrain.core.events.Addresses.PROMETHEUS_SCRAPE, "scrape")
                .onSuccess(m -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4").end(m.body()))
                .onFailure(e -> reply(ctx, 503, error("no metrics source is running")));
    }

    private void control(RoutingContext ctx) {
        Supplier<Future<JsonObject>> action = controls.get(ctx.pathParam("action"));
        if (action == null) {
            reply(ctx, 404, error("no such control; the model server has POST /v1/model/" + controls.keySet()));
            return;
        }
        String refusal = token.refusal(ctx.request().getHeader("Authorization"), null);
        if (refusal != null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            reply(ctx, 401, error(refusal));
            return;
        }
        action.get().onSuccess(json -> reply(ctx, 200, json))
                .onFailure(e -> reply(ctx, 409, error(e.getMessage())));
    }

    private void withModel(RoutingContext ctx, java.util.function.Consumer<ServedModel> action) {
        ServedModel model = current.get();
        if (model == null) {
            reply(ctx, 503, error("no verified model is being served yet"));
        } else {
            action.accept(model);
        }
    }

    /** The serving model with its session counted as in use ({@link OnnxModel#release} after). */
    private ServedModel acquire() {
        while (true) {
            ServedModel m = current.get();
            if (m.onnx().acquire()) {
                return m;
            }
            // retired between the read and the acquire: a newer model serves, take that one
        }
    }

    private void predict(RoutingContext ctx, ServedModel model) {
        PredictJson.Rows rows;
        io.vertx.core.buffer.Buffer body = ctx.body().buffer() == null ? io.vertx.core.buffer.Buffer.buffer()
                : ctx.body().buffer();
        try {
            byte[] bytes = body.getBytes();
            rows = PredictTensors.isTensors(ctx.request().getHeader("Content-Type"), bytes)
                    ? PredictTensors.read(bytes, model.onnx().inputs()) : PredictJson.read(body, model.onnx().inputs());
        } catch (PredictJson.BadRequest e) {
            reply(ctx, 400, error(e.getMessage()));
            return;
        }
        ServedModel answering = acquire(); // perhaps newer than the one the request was read for: same inputs
        vertx.executeBlocking(() -> {
            try {
                return answering.onnx().predict(rows.x(), rows.rows());
            } finally {
                answering.onnx().release();
            }
        }, false).onSuccess(out -> {
            int bad = PredictJson.firstNonFiniteRow(out, answering.classes());
            if (bad >= 0) {
                reply(ctx, 422, error("row " + bad + " makes the model's output not finite (values too large for"
                        + " float32 arithmetic?); nothing was predicted"));
            } else {
                reply(ctx, 200, PredictJson.predictions(answering, out, rows.rows()));
                ShadowTrial trial = shadow;
                if (trial != null) { // after the answer: the shadow never delays it
                    vertx.executeBlocking(() -> {
                        trial.mirror(rows.x(), rows.rows(), out);
                        return null;
                    }, false);
                }
            }
        }).onFailure(e -> reply(ctx, 500, error("the model failed to run on these rows")));
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

    private static void reply(RoutingContext ctx, int status, JsonObject body) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
        }
    }
}
