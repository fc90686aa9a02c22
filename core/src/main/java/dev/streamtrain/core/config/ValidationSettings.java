package dev.streamtrain.core.config;

import java.util.List;

/**
 * Streamed validation (section {@code validation:}): which sources are evaluated, which one drives the rate control
 * and early stopping, and the metrics computed.
 *
 * @param sources combinable: {@code topic} (the validation topic, a sliding window of its newest
 *     {@code ingest.validation-max-rows} rows), {@code prequential} (each training minibatch is scored before it is
 *     trained), {@code holdout} (records whose key hashes into {@code holdoutFraction} are never trained, only
 *     evaluated) and {@code external} (metric records computed elsewhere, read from {@code externalTopic})
 * @param drive the source whose metrics feed plateau control and early stopping (default: the first source)
 * @param minRows an evaluation with fewer rows is published but does not count for control
 * @param topK k of the top-k accuracy (softmax heads with more than k classes)
 * @param prequentialWindowRows prequential metrics cover the newest this many rows scored
 * @param holdoutFraction share of keys held out, in (0, 0.5]
 * @param holdoutMaxRows most held-out rows kept (the newest)
 * @param externalTopic topic of external metric records (JSON; README "Streamed validation")
 * @param externalMetric with {@code drive: external}: the metric that feeds plateau control
 * @param externalStart read the external topic from {@code latest} (metrics from now on) or {@code earliest}
 */
public record ValidationSettings(List<String> sources, String drive, int minRows, int topK, int prequentialWindowRows,
        double holdoutFraction, int holdoutMaxRows, String externalTopic, String externalMetric,
        String externalStart) {
    /** The sources known. */
    public static final List<String> SOURCES = List.of("topic", "prequential", "holdout", "external");

    public ValidationSettings {
        sources = List.copyOf(sources);
    }

    /** True when the source is evaluated. */
    public boolean uses(String source) {
        return sources.contains(source);
    }

    static ValidationSettings read(ConfigReader v, String job) {
        List<String> sources = v.stringList("sources", List.of("topic"));
        for (String s : sources) {
            if (!SOURCES.contains(s)) {
                v.problem("sources", "'" + s + "' is not a validation source; use some of " + SOURCES);
            }
        }
        if (sources.isEmpty()) {
            v.problem("sources", "name at least one of " + SOURCES);
            sources = List.of("topic");
        }
        String drive = v.choice("drive", sources.get(0), SOURCES);
        List<String> valid = sources.stream().filter(SOURCES::contains).toList();
        if (!sources.contains(drive) && !valid.isEmpty()) {
            v.problem("drive", "'" + drive + "' must be one of the sources " + valid);
        }
        double fraction = v.decimal("holdout-fraction", 0.1, 0, 0.5, false);
        return new ValidationSettings(sources, drive,
                (int) v.integer("min-rows", 32, 1, 100_000_000),
                (int) v.integer("top-k", 5, 1, 1000),
                (int) v.integer("prequential-window-rows", 1000, 1, 100_000_000),
                fraction,
                (int) v.integer("holdout-max-rows", 10_000, 1, 100_000_000),
                v.string("external-topic", job + ".external-metrics"),
                v.string("external-metric", "val_loss"),
                v.choice("external-start", "latest", List.of("latest", "earliest")));
    }
}
