package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.UpdateRejected;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code non_finite_gradient}: the trainer's guard found a NaN or infinite gradient norm and refused the
 * update. Advice from training-knowledge §9: gradient explosion first (lower the rate, clip), then the data.
 */
public final class NonFiniteGradientRule implements MetricRule {
    static final String KIND = "non_finite_gradient";
    private final Findings findings;

    public NonFiniteGradientRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
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
        return findings.alert(r.job(), "gradient norm is " + Findings.num(r.value()) + " at update " + r.update()
                + ": the update was refused and its " + records + " records dead-lettered; the gradients exploded:"
                + " lower the learning rate and clip gradients (tricks.clip-grad-norm), then check the records and"
                + " their labels", r.update(), r.value(), Map.of("records", (double) records), r.sources());
    }
}
