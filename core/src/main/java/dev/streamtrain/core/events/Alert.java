package dev.streamtrain.core.events;

/**
 * Something the monitor found wrong in the metric stream.
 *
 * @param job job name
 * @param kind what was found, e.g. {@code non_finite_loss}
 * @param severity {@code warning} or {@code critical}
 * @param message human-readable explanation
 * @param update the update it refers to
 * @param value the offending value (NaN allowed)
 * @param timeMillis wall-clock time of the event
 */
public record Alert(String job, String kind, String severity, String message, long update, double value,
        long timeMillis) implements StreamEvent {
    @Override
    public String eventType() {
        return "alert";
    }
}
