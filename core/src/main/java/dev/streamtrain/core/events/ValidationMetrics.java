package dev.streamtrain.core.events;

/**
 * The result of evaluating the model on the validation set.
 *
 * @param job job name
 * @param update updates done when evaluated
 * @param samples examples trained when evaluated
 * @param rows validation rows evaluated
 * @param loss mean validation loss
 * @param accuracy fraction of rows classified correctly
 * @param timeMillis wall-clock time of the event
 */
public record ValidationMetrics(String job, long update, long samples, int rows, double loss, double accuracy,
        long timeMillis) implements StreamEvent {
    @Override
    public String eventType() {
        return "validation_metrics";
    }
}
