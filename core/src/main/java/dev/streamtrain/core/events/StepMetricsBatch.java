package dev.streamtrain.core.events;

import java.util.List;

/**
 * Consecutive updates' {@link StepMetrics}, in update order: how the trainer publishes them on
 * {@link Addresses#STEP_METRICS}. One message per update cost each consumer an event-loop task per update, and at
 * thousands of updates a second that took a fifth of the pipeline's throughput on 2 cores (bench B1, measured).
 *
 * @param steps one or more, oldest first
 */
public record StepMetricsBatch(List<StepMetrics> steps) {
    /**
     * @throws IllegalArgumentException when empty
     */
    public StepMetricsBatch {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a batch of step metrics holds at least one update");
        }
    }

    /** A batch of one update. */
    public static StepMetricsBatch of(StepMetrics step) {
        return new StepMetricsBatch(List.of(step));
    }

    /** The newest update's metrics. */
    public StepMetrics last() {
        return steps.get(steps.size() - 1);
    }
}
