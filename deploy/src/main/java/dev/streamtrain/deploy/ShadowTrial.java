package dev.streamtrain.deploy;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.DeploySettings;
import dev.streamtrain.core.events.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Locale;

/**
 * A candidate that beat the serving version runs in its shadow for {@code deploy.shadow_seconds} before it may serve:
 * it answers nothing, but every live {@code /v1/predict} request is run through it too (off the answer's path;
 * failures and how often its arg-max agrees with the serving one's are counted), and after each of the trainer's
 * evaluations both are scored on the validation rows held now ({@link LiveMetric}). At the end it is promoted when
 * its mean beats the serving version's by {@code min_delta} over the same evaluations, or, with no evaluation in the
 * window, when it answered every mirrored request. One trial at a time; used on the verticle's context, the mirrored
 * requests counted from worker threads.
 */
final class ShadowTrial {
    /**
     * How the trial ended.
     *
     * @param promote whether the candidate serves now
     * @param reason what was measured, in the product's words
     * @param candidate the candidate's mean metric (NaN: no evaluation)
     * @param serving the serving version's over the same evaluations
     */
    record Outcome(boolean promote, String reason, double candidate, double serving) {
    }

    private final ServedModel candidate;
    private final ServedModel serving;
    private final DeploySettings settings;
    private final String metric;
    private double candidateSum;
    private double servingSum;
    private int evaluations;
    private long mirrored;
    private long agreed;
    private long failed;
    private boolean scoring;

    ShadowTrial(ServedModel candidate, ServedModel serving, DeploySettings settings) {
        this.candidate = candidate;
        this.serving = serving;
        this.settings = settings;
        this.metric = LiveMetric.SUPPORTED.contains(settings.monitor()) ? settings.monitor() : "val_loss";
    }

    /** The candidate on trial. */
    ServedModel candidate() {
        return candidate;
    }

    /** Runs the trial: scores after each evaluation until the time is up (call on the verticle's context). */
    Future<Outcome> run(Vertx vertx, ValidationSet rows) {
        Promise<Outcome> done = Promise.promise();
        var evaluated = vertx.eventBus().consumer(Addresses.VALIDATION_METRICS, m -> {
            if (scoring) {
                return; // one scoring at a time: this evaluation is skipped
            }
            scoring = true;
            List<MiniBatch> batches = rows.snapshot();
            vertx.executeBlocking(() -> new double[] {LiveMetric.measure(metric, candidate, batches),
                LiveMetric.measure(metric, serving, batches)}).onSuccess(v -> {
                    if (!Double.isNaN(v[0]) && !Double.isNaN(v[1])) {
                        candidateSum += v[0];
                        servingSum += v[1];
                        evaluations++;
                    }
                }).onComplete(ar -> scoring = false);
        });
        vertx.setTimer(settings.shadowSeconds() * 1000, id -> evaluated.unregister().onComplete(ar ->
                done.complete(outcome())));
        return done.future();
    }

    /** A live request's input, run through the candidate beside the serving answer (blocking, a worker thread). */
    void mirror(float[] x, int rows, float[] servingOut) {
        if (!candidate.onnx().acquire()) {
            return; // the trial ended meanwhile
        }
        try {
            float[] out = candidate.onnx().predict(x, rows);
            int agreeing = 0;
            int width = candidate.classes();
            for (int r = 0; r < rows; r++) {
                agreeing += argMax(out, r * width, width) == argMax(servingOut, r * width, width) ? 1 : 0;
            }
            record(rows, agreeing, PredictJson.firstNonFiniteRow(out, width) >= 0 ? 1 : 0);
        } catch (Exception e) {
            record(rows, 0, rows);
        } finally {
            candidate.onnx().release();
        }
    }

    private synchronized void record(long rows, long agreeing, long failures) {
        mirrored += rows;
        agreed += agreeing;
        failed += failures;
    }

    private static int argMax(float[] v, int at, int width) {
        int best = 0;
        for (int c = 1; c < width; c++) {
            best = v[at + c] > v[at + best] ? c : best;
        }
        return best;
    }

    private synchronized Outcome outcome() {
        String traffic = String.format(Locale.ROOT, "%d live rows mirrored, %d failed, %.1f%% same answer", mirrored,
                failed, mirrored == 0 ? 100.0 : 100.0 * agreed / mirrored);
        String window = "in shadow for " + settings.shadowSeconds() + " s: ";
        if (evaluations == 0) {
            return new Outcome(failed == 0, window + "no evaluation to score on; " + traffic
                    + (failed == 0 ? "" : ": not served"), Double.NaN, Double.NaN);
        }
        double c = candidateSum / evaluations;
        double s = servingSum / evaluations;
        boolean better = failed == 0 && settings.improves(c, s);
        return new Outcome(better, String.format(Locale.ROOT, "%s%s %.4g against %s's %.4g over %d evaluations"
                + " (mode %s, min_delta %s); %s%s", window, metric, c, serving.version(), s, evaluations,
                settings.mode(), settings.minDelta(), traffic, better ? "" : ": not served"), c, s);
    }
}
