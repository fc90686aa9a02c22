package dev.streamtrain.dashboard;

import dev.streamtrain.core.control.BearerToken;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.ModelDeployed;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.core.events.ModelRolledBack;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The live dashboard's server side. It keeps the run's {@link RunHistory} from the event bus on its own context and
 * adds to the model server's router ({@link #mount}):
 * <ul>
 *   <li>{@code GET /} — the page ({@code dashboard/index.html}; uPlot from its WebJar under {@code /webjars});</li>
 *   <li>{@code GET /api/run} — the snapshot as JSON;</li>
 *   <li>{@code GET /api/events} — Server-Sent Events: {@code snapshot} first, then {@code delta} messages (a JSON
 *       array of {@code {"kind", "item"}}) every {@code flushMillis};</li>
 *   <li>{@code POST /v1/trainer/<action>} — the trainer's controls ({@link TrainerControlApi}).</li>
 * </ul>
 * With {@code protectViews} the data views ({@code /api/*}) need the token too (header, or {@code access_token} in the
 * query, which is all an {@code EventSource} can send); the page and its files are public, they hold no data. A page
 * whose connection stays full for {@value #SLOW_PAGE_MILLIS} ms is disconnected; its {@code EventSource} reconnects
 * and starts again from a snapshot.
 */
public final class DashboardVerticle extends VerticleBase {
    private static final long KEEP_ALIVE_MILLIS = 15_000;
    /** A page whose connection stays full this long is disconnected (ms). */
    private static final long SLOW_PAGE_MILLIS = 10_000;
    private final java.util.Map<HttpServerResponse, Long> fullSince = new java.util.HashMap<>();
    private final RunHistory history;
    private final BearerToken token;
    private final boolean protectViews;
    private final long flushMillis;
    private final Clock clock;
    private final List<HttpServerResponse> pages = new ArrayList<>();
    private final List<JsonObject> pending = new ArrayList<>();
    private Context context;

    /**
     * @param info the job, for the summary
     * @param points chart points kept per series
     * @param flushMillis how often live pages get what happened (ms)
     * @param token the control token
     * @param protectViews whether the views need the token too
     * @param clock wall clock (tests may pass a fixed one)
     */
    public DashboardVerticle(RunInfo info, int points, long flushMillis, String token, boolean protectViews,
            Clock clock) {
        this.history = new RunHistory(info, points);
        this.token = new BearerToken(token);
        this.protectViews = protectViews;
        this.flushMillis = flushMillis;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        context = vertx.getOrCreateContext();
        Events.registerCodecs(vertx);
        vertx.setPeriodic(flushMillis, t -> flush());
        vertx.setPeriodic(KEEP_ALIVE_MILLIS, t -> List.copyOf(pages).forEach(p -> send(p, ": keep-alive\n\n")));
        return Future.all(List.of(
                on(Addresses.STEP_METRICS, (StepMetricsBatch b) -> {
                    b.steps().forEach(history::step);
                    return List.of();
                }),
                on(Addresses.VALIDATION_METRICS, (ValidationMetrics v) -> history.validation(v)),
                on(Addresses.INGEST_METRICS, (IngestMetrics m) -> history.ingest(m)),
                on(Addresses.ALERTS, (Alert a) -> history.alert(a)),
                on(Addresses.LR_CHANGED, (LrChanged c) -> history.lrChanged(c)),
                on(Addresses.LR_RANGE_FOUND, (dev.streamtrain.core.events.LrRangeFound f) -> history.rangeFound(f)),
                on(Addresses.CHECKPOINT_SAVED, (CheckpointSaved c) -> history.checkpoint(c, clock.millis())),
                on(Addresses.ROLLED_BACK, (RolledBack r) -> history.rolledBack(r)),
                on(Addresses.TRAINING_FINISHED, (TrainingFinished f) -> history.finished(f, clock.millis())),
                on(Addresses.MODEL_PROMOTION, (ModelPromotion p) -> history.promotion(p)),
                on(Addresses.MODEL_ROLLED_BACK, (ModelRolledBack r) -> history.servingRollback(r)),
                on(Addresses.MODEL_DEPLOYED, (ModelDeployed d) -> history.deployed(d))));
    }

    /** Adds the dashboard's routes and the control API to the model server's router (which has a body handler). */
    public void mount(Router router) {
        new TrainerControlApi(vertx, token).mount(router);
        // the page and its files hold no data: public, so a protected page can load and then read with the token
        router.get("/").handler(ctx -> ctx.reroute("/dashboard/index.html"));
        router.get("/dashboard/*").handler(StaticHandler.create("dashboard"));
        router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
        router.get("/api/run").handler(this::views).handler(ctx -> context.runOnContext(v -> TrainerControlApi
                .reply(ctx, 200, history.snapshot(clock.millis()))));
        router.get("/api/events").handler(this::views).handler(this::events);
    }

    private void views(RoutingContext ctx) {
        String refusal = protectViews ? token.refusal(ctx.request().getHeader("Authorization"),
                ctx.queryParams().get("access_token")) : null;
        if (refusal != null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            TrainerControlApi.reply(ctx, 401, TrainerControlApi.error(refusal
                    + " (open the dashboard as /?access_token=<token>)"));
        } else {
            ctx.next();
        }
    }

    private void events(RoutingContext ctx) {
        HttpServerResponse page = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        page.closeHandler(v -> context.runOnContext(x -> {
            pages.remove(page);
            fullSince.remove(page);
        }));
        context.runOnContext(v -> {
            if (!page.closed()) {
                flush(); // what the snapshot holds is sent to no page twice
                page.write(message("snapshot", history.snapshot(clock.millis()).encode()));
                pages.add(page);
            }
        });
    }

    private void flush() {
        pending.addAll(history.flush(clock.millis()));
        if (pending.isEmpty()) {
            return;
        }
        String message = message("delta", new JsonArray(List.copyOf(pending)).encode());
        pending.clear();
        for (HttpServerResponse page : List.copyOf(pages)) {
            send(page, message);
        }
    }

    private void send(HttpServerResponse page, String message) {
        if (page.closed()) {
            pages.remove(page);
            fullSince.remove(page);
        } else if (!page.writeQueueFull()) {
            fullSince.remove(page);
            page.write(message);
        } else if (clock.millis() - fullSince.computeIfAbsent(page, p -> clock.millis()) > SLOW_PAGE_MILLIS) {
            pages.remove(page); // a page that cannot keep up starts again from a snapshot
            fullSince.remove(page);
            page.reset();
        } else {
            page.write(message); // buffered: the snapshot of a slow link may take a while to drain
        }
    }

    private static String message(String event, String data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
    }

    /** Subscribes to a fact; what the history returns for it goes to live pages at the next flush. */
    @SuppressWarnings("unchecked")
    private <T> Future<Void> on(String address, Function<T, List<JsonObject>> add) {
        return vertx.eventBus().<T>consumer(address, m -> pending.addAll(add.apply(m.body()))).completion();
    }

    /** The history (tests). */
    RunHistory history() {
        return history;
    }
}
