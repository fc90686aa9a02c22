package dev.streamtrain.core.events;

import dev.streamtrain.core.batch.OffsetRange;
import java.util.List;
import java.util.Map;

/**
 * Something the monitor found in the metric stream, with the advice of training-knowledge §9 and the numbers behind
 * it. Repeats of one kind within the throttle window are folded into one alert ({@code repeats} counts them).
 *
 * @param job job name
 * @param kind what was found: {@code non_finite_loss}, {@code loss_spike}, {@code divergence}, ... (README "Keeping a
 *     run healthy")
 * @param severity {@code info}, {@code warning} or {@code critical}
 * @param message what was seen and what to do, in the product's words
 * @param update the update it refers to
 * @param value the offending value (NaN allowed)
 * @param evidence the numbers behind the finding by name (e.g. {@code z}, {@code mean}, {@code std})
 * @param offsets the Kafka records involved (empty when none in particular)
 * @param repeats findings of this kind folded into this alert since the previous one (1: just this one)
 * @param timeMillis wall-clock time of the event
 */
public record Alert(String job, String kind, String severity, String message, long update, double value,
        Map<String, Double> evidence, List<OffsetRange> offsets, long repeats, long timeMillis) implements StreamEvent {
    /** Severities, mildest first. */
    public static final List<String> SEVERITIES = List.of("info", "warning", "critical");

    public Alert {
        evidence = Map.copyOf(evidence);
        offsets = List.copyOf(offsets);
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException("severity must be one of " + SEVERITIES + ", got " + severity);
        }
    }

    /** An alert with no evidence map and no offsets. */
    public Alert(String job, String kind, String severity, String message, long update, double value,
            long timeMillis) {
        this(job, kind, severity, message, update, value, Map.of(), List.of(), 1, timeMillis);
    }

    /** True for critical alerts: a checkpoint saved while one is open is not good. */
    public boolean critical() {
        return severity.equals("critical");
    }

    /** The same alert standing for {@code n} findings. */
    public Alert withRepeats(long n) {
        return new Alert(job, kind, severity, message, update, value, evidence, offsets, n, timeMillis);
    }

    @Override
    public String eventType() {
        return "alert";
    }
}
