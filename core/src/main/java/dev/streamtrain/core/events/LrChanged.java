package dev.streamtrain.core.events;

/**
 * The learning-rate control changed the rate in answer to a validation metric.
 *
 * @param job job name
 * @param update updates done
 * @param step the schedule-clock step
 * @param oldLr rate before
 * @param newLr rate after
 * @param reason {@code plateau_reduce} or {@code plateau_restart}
 * @param metric the validation metric that triggered it
 * @param timeMillis wall-clock time of the event
 */
public record LrChanged(String job, long update, long step, double oldLr, double newLr, String reason, double metric,
        long timeMillis) implements StreamEvent {
    @Override
    public String eventType() {
        return "lr_changed";
    }
}
