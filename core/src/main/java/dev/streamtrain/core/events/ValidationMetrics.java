package dev.streamtrain.core.events;

import java.util.Map;

/**
 * The result of evaluating the model on one validation source.
 *
 * @param job job name
 * @param update updates done when evaluated
 * @param samples examples trained when evaluated
 * @param rows validation rows evaluated
 * @param loss mean validation loss (the job's loss)
 * @param accuracy fraction of rows classified correctly (NaN for regression)
 * @param timeMillis wall-clock time of the event
 * @param source where the rows came from: {@code topic} (the validation topic), {@code prequential} (training
 *     minibatches scored before they were trained), {@code holdout} (records held out by key hash) or
 *     {@code external} (a metric computed elsewhere)
 * @param metrics further metrics by name: {@code top<k>_accuracy}; binary: {@code auc}, {@code log_loss};
 *     regression: {@code mae}, {@code rmse}
 * @param counted whether it had enough rows ({@code validation.min-rows}) to drive rate control and early stopping
 */
public record ValidationMetrics(String job, long update, long samples, int rows, double loss, double accuracy,
        long timeMillis, String source, Map<String, Double> metrics, boolean counted) implements StreamEvent {
    public ValidationMetrics {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        source = source == null ? "topic" : source;
    }

    /** Loss and accuracy on the validation topic, counted. */
    public ValidationMetrics(String job, long update, long samples, int rows, double loss, double accuracy,
            long timeMillis) {
        this(job, update, samples, rows, loss, accuracy, timeMillis, "topic", Map.of(), true);
    }

    /**
     * A metric by the name early stopping and external records use: {@code val_loss}, {@code val_accuracy}, or
     * {@code val_<name>} of {@link #metrics()} (e.g. {@code val_auc}), or any other name of {@link #metrics()} (an
     * external metric); NaN when this evaluation has no such metric.
     */
    public double metric(String name) {
        if (name.equals("val_loss")) {
            return loss;
        }
        if (name.equals("val_accuracy")) {
            return accuracy;
        }
        Double v = metrics.get(name.startsWith("val_") ? name.substring(4) : name);
        return v == null ? Double.NaN : v;
    }

    /** An external metric as an evaluation of source {@code external} (so checkpoints and restore-best see it). */
    public static ValidationMetrics external(ExternalMetric m, long update, long samples, boolean counted) {
        return new ValidationMetrics(m.job(), update, samples, (int) Math.min(Integer.MAX_VALUE, Math.max(0, m.rows())),
                Double.NaN, Double.NaN, m.timeMillis(), "external", Map.of(), counted).with(m.name(), m.value());
    }

    /**
     * A copy with one more metric, stored so {@link #metric} reads it by that name ({@code val_loss} and
     * {@code val_accuracy} also set the loss and accuracy).
     */
    public ValidationMetrics with(String name, double value) {
        var more = new java.util.HashMap<>(metrics);
        more.put(name.startsWith("val_") ? name.substring(4) : name, value);
        return new ValidationMetrics(job, update, samples, rows, name.equals("val_loss") ? value : loss,
                name.equals("val_accuracy") ? value : accuracy, timeMillis, source, more, counted);
    }

    @Override
    public String eventType() {
        return "validation_metrics";
    }
}
