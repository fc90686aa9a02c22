package dev.streamtrain.dashboard;

import dev.streamtrain.core.events.StepMetrics;
import io.vertx.core.json.JsonObject;

/**
 * Folds every update's {@link StepMetrics} into one chart point per flush (a few per second: the trainer makes
 * thousands of updates a second, a browser draws a few hundred points well). A point carries the mean training loss
 * of the updates it folds, the last update's rate, momentum, gradient norm and example age, and the throughput as
 * examples over wall time since the previous point (an honest rate, not a mean of instantaneous ones).
 */
final class StepWindow {
    private StepMetrics last;
    private double lossSum;
    private long lossCount;
    private long nonFinite;
    private long samplesAtFlush = -1;
    private long millisAtFlush;

    /** One update's metrics. */
    void add(StepMetrics m) {
        last = m;
        if (Double.isFinite(m.loss())) {
            lossSum += m.loss();
            lossCount++;
        } else {
            nonFinite++;
        }
    }

    /**
     * The point for the updates added since the last flush, or null when none were.
     *
     * @param nowMillis wall-clock time of the flush
     */
    JsonObject flush(long nowMillis) {
        if (last == null || (lossCount == 0 && nonFinite == 0 && last.samples() == samplesAtFlush)) {
            return null;
        }
        // a rollback takes the example count back: that window's rate is the trainer's own, never negative
        double rate = samplesAtFlush < 0 || nowMillis <= millisAtFlush || last.samples() < samplesAtFlush
                ? last.samplesPerSecond() : (last.samples() - samplesAtFlush) * 1000.0 / (nowMillis - millisAtFlush);
        JsonObject point = new JsonObject().put("u", last.update()).put("t", nowMillis)
                .put("loss", lossCount > 0 ? Json.number(lossSum / lossCount) : null)
                .put("non_finite", nonFinite)
                .put("lr", Json.number(last.lr())).put("momentum", Json.number(last.momentum()))
                .put("grad_norm", Json.number(last.gradNorm())).put("samples_per_s", Json.number(rate))
                .put("samples", last.samples())
                .put("age_ms", last.ageMillis() < 0 ? null : last.ageMillis());
        samplesAtFlush = last.samples();
        millisAtFlush = nowMillis;
        lossSum = 0;
        lossCount = 0;
        nonFinite = 0;
        return point;
    }

    /** The newest update seen (0 before any). */
    long update() {
        return last == null ? 0 : last.update();
    }

    /** Examples trained so far (0 before any). */
    long samples() {
        return last == null ? 0 : last.samples();
    }
}
