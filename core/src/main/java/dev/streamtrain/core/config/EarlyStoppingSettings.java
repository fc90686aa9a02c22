package dev.streamtrain.core.config;

import java.util.List;

/**
 * Early stopping with Lightning's {@code EarlyStopping} semantics and names (section {@code early-stopping:}; absent:
 * off). An evaluation improves when {@code value < best - min_delta} (mode min) or {@code value > best + min_delta}
 * (mode max); after {@code patience} evaluations without improvement the run stops. Keras' {@code baseline} and
 * {@code restore_best_weights} are included as {@code baseline} and {@code restore_best}.
 *
 * @param enabled whether the section is present
 * @param monitor the metric watched: {@code val_loss}, {@code val_accuracy}, or any metric name streamed on the
 *     external metrics topic
 * @param mode min or max ({@code val_accuracy} defaults to max, everything else to min)
 * @param minDelta smallest change that counts as an improvement (&gt;= 0)
 * @param patience evaluations without improvement before stopping
 * @param warmup evaluations ignored at the start (neither best nor patience counted)
 * @param baseline the metric must beat this to count as an improvement at all (NaN: none)
 * @param stoppingThreshold stop at once when the metric reaches this (NaN: none)
 * @param divergenceThreshold stop at once when the metric is worse than this (NaN: none)
 * @param checkFinite stop at once when the metric is NaN or infinite
 * @param restoreBest the best checkpoint becomes the final checkpoint and the export
 */
public record EarlyStoppingSettings(boolean enabled, String monitor, String mode, double minDelta, int patience,
        int warmup, double baseline, double stoppingThreshold, double divergenceThreshold, boolean checkFinite,
        boolean restoreBest) {

    /** The job file's shape: Lightning's key names, unset thresholds left out; null (absent) when off. */
    @com.fasterxml.jackson.annotation.JsonValue
    public java.util.Map<String, Object> asJobFile() {
        if (!enabled) {
            return null;
        }
        var out = new java.util.LinkedHashMap<String, Object>();
        out.put("monitor", monitor);
        out.put("mode", mode);
        out.put("min_delta", minDelta);
        out.put("patience", patience);
        out.put("warmup", warmup);
        if (!Double.isNaN(baseline)) {
            out.put("baseline", baseline);
        }
        if (!Double.isNaN(stoppingThreshold)) {
            out.put("stopping_threshold", stoppingThreshold);
        }
        if (!Double.isNaN(divergenceThreshold)) {
            out.put("divergence_threshold", divergenceThreshold);
        }
        out.put("check_finite", checkFinite);
        out.put("restore_best", restoreBest);
        return out;
    }

    /** Off. */
    public static EarlyStoppingSettings off() {
        return new EarlyStoppingSettings(false, "val_loss", "min", 0, 3, 0, Double.NaN, Double.NaN, Double.NaN, true,
                false);
    }

    /** True when {@code value} is better than {@code best} by more than min_delta. */
    public boolean improves(double value, double best) {
        if (Double.isNaN(value)) {
            return false;
        }
        return mode.equals("min") ? value < best - minDelta : value > best + minDelta;
    }

    /** Reads the section; problems go to the reader. */
    static EarlyStoppingSettings read(ConfigReader e, boolean present, ValidationSettings validation) {
        if (!present) {
            return off();
        }
        String monitor = monitor(e, validation);
        String mode = e.choice("mode", monitor.endsWith("accuracy") || monitor.endsWith("auc") ? "max" : "min",
                List.of("min", "max"));
        return new EarlyStoppingSettings(true, monitor, mode,
                e.decimal("min_delta", 0, 0, 1e12, true),
                (int) e.integer("patience", 3, 0, 1_000_000),
                (int) e.integer("warmup", 0, 0, 1_000_000),
                optional(e, "baseline"), optional(e, "stopping_threshold"), optional(e, "divergence_threshold"),
                e.bool("check_finite", true),
                e.bool("restore_best", false));
    }

    /** Reads {@code monitor} (default val_loss); a metric the job does not produce is a problem. */
    static String monitor(ConfigReader e, ValidationSettings validation) {
        String monitor = e.string("monitor", "val_loss");
        List<String> known = List.of("val_loss", "val_accuracy", "val_top" + validation.topK() + "_accuracy", "val_auc",
                "val_log_loss", "val_mae", "val_rmse", "train_loss");
        if (!known.contains(monitor) && !validation.uses("external")) {
            e.problem("monitor", "'" + monitor + "' is not a metric this job produces; use one of " + known
                    + " (any name is allowed with validation.sources: [external])");
        }
        return monitor;
    }

    private static double optional(ConfigReader e, String key) {
        return e.has(key) ? e.decimal(key, Double.NaN, -1e300, 1e300, true) : Double.NaN;
    }
}
