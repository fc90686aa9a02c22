package dev.streamtrain.core.events;

/**
 * A metric computed outside the trainer (e.g. once late labels arrived), read from the external metrics topic. It
 * drives plateau control ({@code validation.drive: external}) and early stopping ({@code early-stopping.monitor}) like
 * the trainer's own metrics.
 *
 * <p>Wire form (one JSON object per record): {@code {"metric": "val_loss", "value": 0.31, "rows": 5000}} or several at
 * once {@code {"metrics": {"val_loss": 0.31, "val_auc": 0.93}, "rows": 5000}}; {@code rows} is optional (counted as
 * enough when absent), {@code update} optionally names the trainer update the metric was computed for.
 *
 * @param job job name
 * @param name metric name, e.g. {@code val_loss}
 * @param value its value (NaN allowed: early stopping's check_finite sees it)
 * @param rows rows behind it (-1 when not given)
 * @param update the trainer update it refers to (-1 when not given)
 * @param timeMillis when it was read
 */
public record ExternalMetric(String job, String name, double value, long rows, long update, long timeMillis)
        implements StreamEvent {
    @Override
    public String eventType() {
        return "external_metric";
    }
}
