package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.UpdateRejected;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code non_finite_parameters}: parameters became NaN or infinite after an update, which the trainer's guard
 * undid. Advice from training-knowledge §9: gradient explosion first (lower the rate, clip), then the data.
 */
public final class NonFiniteParametersRule implements MetricRule {
    static final String KIND = "non_finite_parameters";
    private final Findings findings;

    public NonFiniteParametersRule(MonitorSettings.Rule settings, Clock clock) {
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
        return findings.alert(r.job(), "parameters became " + Findings.num(r.value()) + " after update "
                + (r.update() + 1) + ": the update was undone and its " + records + " records dead-lettered; the"
                + " step was too large: lower the learning rate and clip gradients, then check the records and"
                + " their labels", r.update(), r.value(), Map.of("records", (double) records), r.sources());
    }
}
