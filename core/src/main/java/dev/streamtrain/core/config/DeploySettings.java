package dev.streamtrain.core.config;

import java.util.List;

/**
 * Continuous deployment (section {@code deploy:}): which checkpoints become candidates for serving while training
 * goes on, and which candidates are promoted. A candidate is exported to ONNX, verified, and served only when it
 * beats the serving version's {@code monitor} by {@code min_delta} (Lightning's {@code ModelCheckpoint} and
 * {@code EarlyStopping} names and semantics); the first verified candidate is always served.
 *
 * <p>Candidates are good checkpoints only (weights finite, no critical alert open, not marked suspect): the first
 * one, then the first at least {@code every_n_train_steps} updates or {@code every_seconds} seconds after the last
 * candidate (0 turns a trigger off; both 0: only the model a bounded run ends with). An endless run defaults to one
 * candidate a minute, a bounded run ({@code ingest.stop-at-end}) to its final model only.
 *
 * @param everyNTrainSteps updates between candidates (0: off)
 * @param everySeconds seconds between candidates (0: off)
 * @param monitor the metric that decides promotion: {@code val_loss}, {@code val_accuracy}, or another metric of
 *     the checkpoint's validation ({@code val_auc}, an external metric's name)
 * @param mode min or max ({@code *accuracy} and {@code *auc} default to max, everything else to min)
 * @param minDelta how much better than the serving version a candidate must be (&gt;= 0)
 * @param keep exported versions kept on disk (the serving one is never removed)
 * @param regressionDelta serving goes back to the previous version when the serving one's live metric (its own
 *     {@code val_loss} or {@code val_accuracy} on the validation rows held now) is worse than when it started serving
 *     by more than this (0: never)
 * @param shadowSeconds a candidate that beats the serving version first runs this long in its shadow (scored on live
 *     traffic and the validation rows beside it, answering nothing) and is promoted only if it still beats it (0: at
 *     once)
 */
public record DeploySettings(long everyNTrainSteps, long everySeconds, String monitor, String mode,
        double minDelta, int keep, double regressionDelta, long shadowSeconds) {

    /** Without regression rollback and shadow period. */
    public DeploySettings(long everyNTrainSteps, long everySeconds, String monitor, String mode, double minDelta,
            int keep) {
        this(everyNTrainSteps, everySeconds, monitor, mode, minDelta, keep, 0, 0);
    }

    /** Whether candidates are exported while training goes on (not only at the end of a bounded run). */
    public boolean continuous() {
        return everyNTrainSteps > 0 || everySeconds > 0;
    }

    /** True when {@code candidate} beats {@code serving} by more than min_delta (NaN never beats anything). */
    public boolean improves(double candidate, double serving) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        return mode.equals("min") ? candidate < serving - minDelta : candidate > serving + minDelta;
    }

    /** The defaults: a candidate a minute in an endless run, the final model only in a bounded one. */
    public static DeploySettings defaults(boolean bounded) {
        return new DeploySettings(0, bounded ? 0 : 60, "val_loss", "min", 0, 5, 0, 0);
    }

    /** Reads the section; problems go to the reader. */
    static DeploySettings read(ConfigReader d, boolean bounded, ValidationSettings validation) {
        DeploySettings def = defaults(bounded);
        String monitor = EarlyStoppingSettings.monitor(d, validation);
        String mode = d.choice("mode", monitor.endsWith("accuracy") || monitor.endsWith("auc") ? "max" : "min",
                List.of("min", "max"));
        double regression = d.decimal("regression_delta", 0, 0, 1e12, true);
        if (regression > 0 && !List.of("val_loss", "val_accuracy").contains(monitor)) {
            d.problem("regression_delta", "serving measures only val_loss or val_accuracy live; deploy.monitor is "
                    + monitor);
        }
        return new DeploySettings(d.integer("every_n_train_steps", def.everyNTrainSteps(), 0, Long.MAX_VALUE),
                d.integer("every_seconds", def.everySeconds(), 0, 86_400 * 365L), monitor, mode,
                d.decimal("min_delta", def.minDelta(), 0, 1e12, true),
                (int) d.integer("keep", def.keep(), 1, 10_000), regression,
                d.integer("shadow_seconds", 0, 0, 86_400));
    }
}
