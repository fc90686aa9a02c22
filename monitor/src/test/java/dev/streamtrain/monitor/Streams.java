package dev.streamtrain.monitor;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.UpdateRejected;
import dev.streamtrain.core.events.ValidationMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Scripted metric streams and settings for the monitor's tests. */
final class Streams {
    static final String JOB = "j";

    private Streams() {
    }

    /** A job config from YAML (the real loader, so defaults are the catalog's). */
    static JobConfig config(String yaml) {
        return JobConfigLoader.parse(yaml, "test");
    }

    /** One rule's settings with the given YAML under {@code monitor.rules.<kind>} (may be empty). */
    static MonitorSettings.Rule rule(String kind, String keys) {
        String body = keys.isBlank() ? "{}" : "\n" + keys.lines().map(l -> "      " + l)
                .reduce("", (a, b) -> a + b + "\n");
        return config("monitor:\n  rules:\n    " + kind + ": " + body).monitor().rule(kind);
    }

    static StepMetrics step(long update, double loss) {
        return new StepMetrics(JOB, update, update * 32, loss, 0.1, 0.9, Double.NaN, 1000, 0);
    }

    static ValidationMetrics val(long update, double loss) {
        return new ValidationMetrics(JOB, update, update * 32, 100, loss, 0.5, 0);
    }

    static ValidationMetrics acc(long update, double accuracy) {
        return new ValidationMetrics(JOB, update, update * 32, 100, 1 - accuracy, accuracy, 0);
    }

    static UpdateRejected rejected(long update, String reason, double value) {
        return new UpdateRejected(JOB, update, reason, value, List.of(new OffsetRange("t", 0, 100, 131)), 0);
    }

    static IngestMetrics ingest(long records, Map<String, Long> lag, boolean paused, Map<String, Long> dead) {
        return new IngestMetrics(JOB, List.of("t"), records, records * 10, 100, 1000, 1, paused, 3, lag, dead,
                Map.of(), Map.of("t", records / 32), 0);
    }

    /**
     * A healthy run: training loss decaying as {@code 2 exp(-u/300) + 0.1} with 5% multiplicative noise, and a
     * validation loss on the same curve (small noise: a fixed validation set) every 50 updates.
     */
    static List<Object> healthyRun(long seed, int updates) {
        Random random = new Random(seed);
        List<Object> events = new ArrayList<>();
        for (int u = 1; u <= updates; u++) {
            double level = 2 * Math.exp(-u / 300.0) + 0.1;
            events.add(step(u, level * (1 + 0.05 * random.nextGaussian())));
            if (u % 50 == 0) {
                events.add(val(u, level * 1.05 + 0.002 * random.nextGaussian()));
            }
        }
        return events;
    }

    /** Feeds an event to a rule by type; returns its findings. */
    static List<Alert> feed(MetricRule rule, Object event) {
        if (event instanceof StepMetrics s) {
            return rule.onStep(s);
        }
        if (event instanceof ValidationMetrics v) {
            return rule.onValidation(v);
        }
        if (event instanceof IngestMetrics i) {
            return rule.onIngest(i);
        }
        if (event instanceof UpdateRejected r) {
            return rule.onRejected(r);
        }
        throw new IllegalArgumentException("not scripted: " + event);
    }

    /** Every finding of a rule over a stream. */
    static List<Alert> run(MetricRule rule, List<?> events) {
        List<Alert> out = new ArrayList<>();
        for (Object e : events) {
            out.addAll(feed(rule, e));
        }
        return out;
    }
}
