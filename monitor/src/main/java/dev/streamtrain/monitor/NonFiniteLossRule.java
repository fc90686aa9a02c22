package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.UpdateRejected;
import dev.streamtrain.core.events.ValidationMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code non_finite_loss}: a training loss the trainer's guard refused (NaN or infinite), or a non-finite
 * validation loss. Advice from training-knowledge §9: first rule out exploding gradients (lower the rate, clip), then
 * the data and labels.
 *
 * <p>The trainer reports a refused minibatch twice: a {@link dev.streamtrain.core.events.StepMetrics} with the NaN
 * loss and an {@link UpdateRejected}. Only the latter alerts, since it names the Kafka records involved, so one bad
 * minibatch is one finding.
 */
public final class NonFiniteLossRule implements MetricRule {
    static final String KIND = "non_finite_loss";
    private final Findings findings;

    public NonFiniteLossRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
    }

    /** With the catalog's default severity (critical). */
    public NonFiniteLossRule(Clock clock) {
        this.findings = Findings.ofDefault(KIND, clock);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onRejected(UpdateRejected r) {
        if (!r.reason().equals(KIND)) {
            return List.of();
        }
        long records = Findings.records(r.sources());
        return findings.alert(r.job(), "training loss is " + Findings.num(r.value()) + " at update " + r.update()
                + ": the update was refused and its " + Findings.records(records) + " dead-lettered; first rule out"
                + " exploding"
                + " gradients (lower the learning rate, clip gradients), then check the records and their labels",
                r.update(), r.value(), Map.of("records", (double) records), r.sources());
    }

    @Override
    public List<Alert> onValidation(ValidationMetrics m) {
        if (Double.isFinite(m.loss())) {
            return List.of();
        }
        return findings.alert(m.job(), "validation loss is " + Findings.num(m.loss()) + " at update " + m.update()
                + ": the model's parameters or outputs are broken; first rule out exploding gradients (lower the"
                + " learning rate, clip gradients), then check the validation records and their labels",
                m.update(), m.loss(), Map.of("rows", (double) m.rows()));
    }
}
