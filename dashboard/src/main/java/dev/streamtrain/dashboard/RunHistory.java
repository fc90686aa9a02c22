package dev.streamtrain.dashboard;

import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.ModelDeployed;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.core.events.ModelRolledBack;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent history of a run, bounded: the last {@code points} chart points of each series and the last
 * {@value #EVENTS} alerts, markers and checkpoints. Each fact added returns the deltas to send to live pages
 * ({@code {"kind": ..., "item": {...}}}); {@link #snapshot} is what a page gets first. Not thread-safe: one Vert.x
 * context owns it. Times are epoch milliseconds ({@code t}), positions are optimizer updates ({@code u}).
 */
public final class RunHistory {
    /** Alerts, markers and checkpoints kept. */
    static final int EVENTS = 500;
    private final RunInfo info;
    private final int points;
    private final StepWindow window = new StepWindow();
    private final Map<String, ArrayDeque<JsonObject>> series = new LinkedHashMap<>();
    private JsonObject model;
    private String state = "training";

    /**
     * @param info the job, for the summary
     * @param points chart points kept per series (&gt; 0)
     */
    public RunHistory(RunInfo info, int points) {
        if (points <= 0) {
            throw new IllegalArgumentException("points must be > 0, got " + points);
        }
        this.info = info;
        this.points = points;
        for (String kind : List.of("train", "validation", "ingest", "marker", "alert", "checkpoint")) {
            series.put(kind, new ArrayDeque<>());
        }
    }

    /** One update's metrics: folded into the next training point ({@link #flush}). */
    public void step(StepMetrics m) {
        window.add(m);
    }

    /** The training point of the updates since the last flush, and the summary; empty when nothing happened. */
    public List<JsonObject> flush(long nowMillis) {
        JsonObject point = window.flush(nowMillis);
        return point == null ? List.of() : List.of(add("train", point), delta("summary", summary(nowMillis)));
    }

    public List<JsonObject> validation(ValidationMetrics v) {
        return List.of(add("validation", new JsonObject().put("u", v.update()).put("t", v.timeMillis())
                .put("loss", Json.number(v.loss())).put("accuracy", Json.number(v.accuracy()))
                .put("source", v.source()).put("rows", v.rows())));
    }

    public List<JsonObject> ingest(IngestMetrics m) {
        long lag = m.lag().values().stream().mapToLong(Long::longValue).sum();
        return List.of(add("ingest", new JsonObject().put("u", window.update()).put("t", m.timeMillis())
                .put("queue", m.queueDepth()).put("paused", m.paused())
                .put("records_per_s", Json.number(m.recordsPerSecond())).put("lag_total", lag)
                .put("lag", new JsonObject(new LinkedHashMap<>(m.lag())))
                .put("dead_lettered", new JsonObject(new LinkedHashMap<>(m.deadLettered())))));
    }

    public List<JsonObject> alert(Alert a) {
        return List.of(add("alert", new JsonObject().put("u", a.update()).put("t", a.timeMillis())
                .put("kind", a.kind()).put("severity", a.severity()).put("message", a.message())
                .put("repeats", a.repeats())), marker(a.update(), a.timeMillis(), "alert", a.kind()));
    }

    public List<JsonObject> lrChanged(LrChanged c) {
        return List.of(marker(c.update(), c.timeMillis(), "lr", c.reason() + ": " + Json.brief(c.oldLr()) + " → "
                + Json.brief(c.newLr())));
    }

    /** {@code schedule.auto-range} filled the schedule: an LR marker at the start. */
    public List<JsonObject> rangeFound(dev.streamtrain.core.events.LrRangeFound f) {
        return List.of(marker(window.update(), f.timeMillis(), "lr", "auto-range" + (f.reused() ? " (recorded)" : "")
                + ": " + f.filled()));
    }

    public List<JsonObject> checkpoint(CheckpointSaved c, long nowMillis) {
        return List.of(add("checkpoint", new JsonObject().put("u", c.update()).put("t", nowMillis)
                .put("path", c.path()).put("write_ms", c.writeMillis() < 0 ? null : c.writeMillis())),
                marker(c.update(), nowMillis, "checkpoint", "checkpoint"));
    }

    public List<JsonObject> rolledBack(RolledBack r) {
        return List.of(marker(r.fromUpdate(), r.timeMillis(), "rollback", "rollback to update " + r.toUpdate()
                + " (" + r.reason() + ")"));
    }

    public List<JsonObject> finished(TrainingFinished f, long nowMillis) {
        state = "finished: " + f.stopReason();
        String kind = f.stopReason().startsWith("early_stopping") ? "early_stop" : "finished";
        return List.of(marker(f.updates(), nowMillis, kind, f.stopReason()), delta("summary", summary(nowMillis)));
    }

    public List<JsonObject> promotion(ModelPromotion p) {
        if (!p.promoted()) {
            return List.of();
        }
        return List.of(marker(p.updates(), p.timeMillis(), "promotion", p.version() + " serves (" + p.reason() + ")"));
    }

    public List<JsonObject> servingRollback(ModelRolledBack r) {
        return List.of(marker(window.update(), r.timeMillis(), "serving_rollback", "serving " + r.fromVersion()
                + " → " + r.toVersion() + " (" + r.reason() + ")"));
    }

    /** A verified export: the served-model panel shows the version serving now. */
    public List<JsonObject> deployed(ModelDeployed d) {
        if (!d.served()) {
            return List.of();
        }
        model = new JsonObject().put("version", d.version()).put("updates", d.updates()).put("url", d.url())
                .put("parity_max_abs_diff", Json.number(d.parityMaxAbsDiff()));
        return List.of(delta("model", model));
    }

    /** Everything a page needs to draw the run so far. */
    public JsonObject snapshot(long nowMillis) {
        JsonObject out = new JsonObject().put("summary", summary(nowMillis)).put("model", model)
                .put("points", points);
        series.forEach((kind, items) -> out.put(kind, new JsonArray(List.copyOf(items))));
        return out;
    }

    JsonObject summary(long nowMillis) {
        double elapsed = Math.max(0, nowMillis - info.startedMillis()) / 1000.0;
        long update = window.update();
        Double eta = null;
        if (info.expectedUpdates() > 0 && update > 0 && state.equals("training")) {
            eta = Math.max(0, info.expectedUpdates() - update) * elapsed / update;
        }
        return new JsonObject().put("job", info.job()).put("model", info.model()).put("optimizer", info.optimizer())
                .put("schedule", info.schedule()).put("update", update).put("samples", window.samples())
                .put("expected_updates", info.expectedUpdates()).put("elapsed_s", elapsed).put("eta_s", eta)
                .put("state", state);
    }

    private JsonObject marker(long update, long timeMillis, String kind, String label) {
        return add("marker", new JsonObject().put("u", update).put("t", timeMillis).put("kind", kind)
                .put("label", label));
    }

    private JsonObject add(String kind, JsonObject item) {
        ArrayDeque<JsonObject> items = series.get(kind);
        items.addLast(item);
        int limit = kind.equals("train") || kind.equals("validation") || kind.equals("ingest") ? points : EVENTS;
        while (items.size() > limit) {
            items.removeFirst();
        }
        return delta(kind, item);
    }

    private static JsonObject delta(String kind, JsonObject item) {
        return new JsonObject().put("kind", kind).put("item", item);
    }
}
