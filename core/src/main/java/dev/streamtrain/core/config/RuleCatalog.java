package dev.streamtrain.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every monitor rule: its alert kind, default severity, config keys with defaults (section
 * {@code monitor.rules.<kind>}), and what each key means. The job-file loader validates against it; the monitor's rule
 * classes read their keys through {@link MonitorSettings.Rule#get}. Kinds and advice follow training-knowledge §9.
 */
public final class RuleCatalog {
    /**
     * One rule.
     *
     * @param kind the alert kind it raises (also its config key)
     * @param severity default severity of its alerts
     * @param summary what it finds, for people
     * @param defaults config keys and their default values (all numbers; 0 switches a bound off where noted)
     * @param keys what each key means
     */
    public record Spec(String kind, String severity, String summary, Map<String, Double> defaults,
            Map<String, String> keys) {
    }

    private static final List<Spec> ALL = List.of(
            spec("non_finite_loss", "critical", "a training or validation loss that is NaN or infinite"),
            spec("non_finite_gradient", "critical", "a gradient norm that is NaN or infinite (checked with or without"
                    + " clipping)"),
            spec("non_finite_parameters", "critical", "parameters that became NaN or infinite after an update"),
            spec("loss_spike", "warning", "a training loss far above its running mean (z-score)",
                    "z-threshold", 6.0, "how many running standard deviations above the running mean is a spike",
                    "warmup", 20.0, "updates observed before spikes are judged",
                    "alpha", 0.05, "weight of a new loss in the running mean and variance (exponential moving)",
                    "min-std-fraction", 0.05, "the standard deviation used is at least this fraction of the mean"),
            spec("divergence", "warning", "the validation loss rises over the first evaluations: initial rate too"
                    + " large", "evaluations", 3.0, "consecutive rises, counted from the first evaluation"),
            spec("early_flattening", "warning", "the loss dropped fast, then flattened at a high level: later rate"
                    + " too large", "evaluations", 5.0, "evaluations in each of the two compared stretches",
                    "fast-drop", 0.5, "relative drop over the first stretch that counts as fast",
                    "min-improvement", 0.01, "relative improvement over the last stretch below which it is flat",
                    "high-level", 0.2, "flat counts only while the loss is above this fraction of the first loss"),
            spec("slow_descent", "info", "the loss falls slowly the whole way: rate too small",
                    "evaluations", 10.0, "evaluations looked at from the start",
                    "max-drop", 0.1, "relative drop over them below which the descent is slow"),
            spec("overfitting", "warning", "validation loss rising while training loss falls, or a lasting"
                    + " train/validation gap", "patience", 3.0, "consecutive evaluations of rising validation loss"
                    + " while the training loss falls", "max-gap", 0.0, "largest tolerated validation minus training"
                    + " loss, held for patience evaluations (0: off)"),
            spec("plateau", "info", "the learning-rate control found a plateau and reduced or restarted the rate"),
            spec("stalled_ingest", "warning", "no records read for a while although the topics have records"
                    + " waiting", "after-ms", 60_000.0, "how long without records (while lag > 0) is a stall"),
            spec("consumer_lag", "warning", "the records waiting on the training topics exceed a bound",
                    "max-records", 1_000_000.0, "total lag above which it alerts"),
            spec("dead_letter_rate", "warning", "too large a share of the records read is dead-lettered",
                    "max-fraction", 0.05, "share of dead-lettered records (since the previous report) that alerts",
                    "min-records", 100.0, "records read in the interval before the share is judged"),
            spec("nothing_trained", "critical", "a bounded run ended with no update applied: nothing is exported"));

    /** Keys that count things or milliseconds: whole numbers. */
    public static final java.util.Set<String> WHOLE_NUMBER_KEYS = java.util.Set.of("warmup", "evaluations", "patience",
            "after-ms", "max-records", "min-records");

    private RuleCatalog() {
    }

    private static Spec spec(String kind, String severity, String summary, Object... keyDefaultDoc) {
        Map<String, Double> defaults = new LinkedHashMap<>();
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < keyDefaultDoc.length; i += 3) {
            defaults.put((String) keyDefaultDoc[i], (Double) keyDefaultDoc[i + 1]);
            docs.put((String) keyDefaultDoc[i], (String) keyDefaultDoc[i + 2]);
        }
        return new Spec(kind, severity, summary, java.util.Collections.unmodifiableMap(defaults),
                java.util.Collections.unmodifiableMap(docs));
    }

    /** Every rule, in documentation order. */
    public static List<Spec> all() {
        return ALL;
    }

    /** Every alert kind. */
    public static List<String> kinds() {
        return ALL.stream().map(Spec::kind).toList();
    }

    /** The rule of a kind. */
    public static Spec of(String kind) {
        return ALL.stream().filter(s -> s.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no monitor rule " + kind));
    }
}
