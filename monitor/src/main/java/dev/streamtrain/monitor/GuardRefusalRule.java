package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.UpdateRejected;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kinds {@code non_finite_gradient} (the trainer's guard found a NaN or infinite gradient norm and refused the
 * update) and {@code non_finite_parameters} (parameters became NaN or infinite after an update, which the guard
 * undid): one rule per kind, the same shape. Advice from training-knowledge §9: gradient explosion first (lower the
 * rate, clip), then the data.
 */
public final class GuardRefusalRule implements MetricRule {
    static final String GRADIENT = "non_finite_gradient";
    static final String PARAMETERS = "non_finite_parameters";
    private final String kind;
    private final Findings findings;

    /** @param kind {@link #GRADIENT} or {@link #PARAMETERS} */
    public GuardRefusalRule(String kind, MonitorSettings.Rule settings, Clock clock) {
        if (!kind.equals(GRADIENT) && !kind.equals(PARAMETERS)) {
            throw new IllegalArgumentException("not a guard kind: " + kind);
        }
        this.kind = kind;
        this.findings = Findings.of(settings, clock);
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public List<Alert> onRejected(UpdateRejected r) {
        if (!r.reason().equals(kind)) {
            return List.of();
        }
        long records = Findings.records(r.sources());
        String seen = kind.equals(GRADIENT)
                ? "gradient norm is " + Findings.num(r.value()) + " at update " + r.update() + ": the update was refused"
                : "parameters became " + Findings.num(r.value()) + " after update " + r.update()
                        + ": the update was undone";
        String cause = kind.equals(GRADIENT) ? "the gradients exploded" : "the step was too large";
        return findings.alert(r.job(), seen + " and its " + Findings.records(records) + " dead-lettered; " + cause
                + ": lower the learning rate and clip gradients (tricks.clip-grad-norm), then check the records and"
                + " their labels", r.update(), r.value(), Map.of("records", (double) records), r.sources());
    }
}
