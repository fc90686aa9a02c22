package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.ValidationMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code divergence}: the validation loss rose at each of the first {@code evaluations} evaluations after the
 * first one. Training-knowledge §9: a loss that rises from the start means the initial learning rate is too large;
 * lower it and restart from scratch (the weights learnt so far are not worth keeping).
 *
 * <p>Only the start of a run is judged: the first evaluation that does not rise disarms the rule for good, and it
 * alerts at most once. Non-finite losses are skipped (they are {@code non_finite_loss}'s business).
 */
public final class DivergenceRule implements MetricRule {
    static final String KIND = "divergence";
    private final Findings findings;
    private final int evaluations;
    private double first = Double.NaN;
    private double previous = Double.NaN;
    private int rises;
    private boolean done;

    public DivergenceRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.evaluations = Math.max(1, (int) settings.get("evaluations"));
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onValidation(ValidationMetrics m) {
        double loss = m.loss();
        if (done || !Double.isFinite(loss)) {
            return List.of();
        }
        if (Double.isNaN(previous)) {
            first = loss;
            previous = loss;
            return List.of();
        }
        if (loss <= previous) {
            done = true;
            return List.of();
        }
        rises++;
        previous = loss;
        if (rises < evaluations) {
            return List.of();
        }
        done = true;
        return findings.alert(m.job(), "validation loss rose at each of the first " + rises + " evaluations, from "
                + Findings.num(first) + " to " + Findings.num(loss) + " at update " + m.update()
                + ": the initial learning rate is too large; lower it and restart from scratch", m.update(), loss,
                Map.of("first", first, "last", loss, "rises", (double) rises));
    }
}
