package dev.streamtrain.core.events;

/**
 * Training progress after an optimizer update.
 *
 * @param job job name
 * @param update updates done (1-based after the first)
 * @param samples examples trained so far
 * @param loss mean training loss of the last minibatch (may be NaN or infinite: the monitor's business)
 * @param lr learning rate used by this update
 * @param momentum momentum (or beta1) used by this update
 * @param gradNorm global gradient norm before clipping (NaN when clipping is off: not computed)
 * @param samplesPerSecond recent training throughput
 * @param timeMillis wall-clock time of the event
 * @param ageMillis freshness: how long before this update its oldest example was produced (ms; -1 when unknown)
 */
public record StepMetrics(String job, long update, long samples, double loss, double lr, double momentum,
        double gradNorm, double samplesPerSecond,
        long timeMillis, long ageMillis) implements StreamEvent {
    /** Step metrics without a known example age. */
    public StepMetrics(String job, long update, long samples, double loss, double lr, double momentum,
            double gradNorm, double samplesPerSecond, long timeMillis) {
        this(job, update, samples, loss, lr, momentum, gradNorm, samplesPerSecond, timeMillis, -1);
    }

    @Override
    public String eventType() {
        return "step_metrics";
    }
}
