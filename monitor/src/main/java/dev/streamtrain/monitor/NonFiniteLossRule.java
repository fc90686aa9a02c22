package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import java.time.Clock;
import java.util.Optional;

/**
 * A training or validation loss that is NaN or infinite: critical, since it means exploding gradients or bad data
 * (training-knowledge §9: lower the rate, clip, then check the data).
 */
public final class NonFiniteLossRule implements MetricRule {
    static final String KIND = "non_finite_loss";
    private final Clock clock;

    public NonFiniteLossRule(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<Alert> onStep(StepMetrics m) {
        return check(m.job(), "training", m.update(), m.loss());
    }

    @Override
    public Optional<Alert> onValidation(ValidationMetrics m) {
        return check(m.job(), "validation", m.update(), m.loss());
    }

    private Optional<Alert> check(String job, String which, long update, double loss) {
        if (Double.isFinite(loss)) {
            return Optional.empty();
        }
        return Optional.of(new Alert(job, KIND, "critical", which + " loss is " + loss + " at update " + update
                + ": the update was skipped; suspect exploding gradients (lower the rate, clip) or bad records",
                update, loss, clock.millis()));
    }
}
