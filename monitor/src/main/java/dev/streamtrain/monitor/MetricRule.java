package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import java.util.Optional;

/** One diagnosis over the metric stream: each rule is a small class that may answer an event with an alert. */
public interface MetricRule {
    /** Called for every step-metrics event. */
    default Optional<Alert> onStep(StepMetrics metrics) {
        return Optional.empty();
    }

    /** Called for every validation-metrics event. */
    default Optional<Alert> onValidation(ValidationMetrics metrics) {
        return Optional.empty();
    }
}
