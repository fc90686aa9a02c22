package dev.streamtrain.deploy;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.DeploySettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the serving version's live metric ({@link LiveMetric} on the validation rows held now): measured when it
 * starts serving, then after each of the trainer's evaluations (the validation stream moves on). A version whose
 * metric got worse than at its start by more than {@code deploy.regression_delta} is a regression: serving should go
 * back to the previous version. One measurement at a time, off the event loop; used on the verticle's context.
 */
final class RegressionWatch {
    /**
     * A regression found.
     *
     * @param reason what got worse, in the product's words
     * @param atStart the metric when the version started serving
     * @param now the metric now
     */
    record Regression(String reason, double atStart, double now) {
    }

    private final DeploySettings settings;
    private final ValidationSet rows;
    private final String metric;
    private final Map<String, Double> atStart = new HashMap<>();
    private boolean measuring;

    RegressionWatch(DeploySettings settings, ValidationSet rows) {
        this.settings = settings;
        this.rows = rows;
        this.metric = LiveMetric.SUPPORTED.contains(settings.monitor()) ? settings.monitor() : "val_loss";
    }

    /** Whether regressions are watched at all ({@code deploy.regression_delta} &gt; 0). */
    boolean enabled() {
        return settings.regressionDelta() > 0;
    }

    /** A version started serving (again): its start metric is measured at the next {@link #check}. */
    void started(String version) {
        atStart.remove(version);
    }

    /** Measures the serving version; the future holds a regression, or null. */
    Future<Regression> check(Vertx vertx, ServedModel serving) {
        if (!enabled() || measuring || serving == null) {
            return Future.succeededFuture();
        }
        measuring = true;
        List<MiniBatch> batches = rows.snapshot();
        return vertx.executeBlocking(() -> LiveMetric.measure(metric, serving, batches)).map(now -> {
            Double start = atStart.putIfAbsent(serving.version(), now);
            if (start == null || Double.isNaN(start) || Double.isNaN(now)) {
                return (Regression) null;
            }
            double delta = settings.regressionDelta();
            boolean worse = settings.mode().equals("max") && metric.equals(settings.monitor()) ? now < start - delta
                    : now > start + delta;
            return worse ? new Regression(String.format(java.util.Locale.ROOT,
                    "the live %s of %s went from %.4g to %.4g on the validation rows held now (deploy.regression_delta"
                            + " %s)", metric, serving.version(), start, now, delta), start, now) : null;
        }).eventually(() -> {
            measuring = false;
            return Future.succeededFuture();
        });
    }
}
