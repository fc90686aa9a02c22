package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.ValidationMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code slow_descent}: over the first {@code evaluations} evaluations the best validation loss fell by less
 * than {@code max-drop} (relative to the first loss). Training-knowledge §9: a loss that falls slowly the whole way
 * means the learning rate is too small; raise it.
 *
 * <p>Judged once, at the {@code evaluations}-th finite validation loss. A loss that ended above where it started is
 * not "slow": that is {@code divergence}'s business, so the rule stays silent then.
 */
public final class SlowDescentRule implements MetricRule {
    static final String KIND = "slow_descent";
    private final Findings findings;
    private final int evaluations;
    private final double maxDrop;
    private int seen;
    private double first;
    private double best = Double.POSITIVE_INFINITY;

    public SlowDescentRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.evaluations = Math.max(2, (int) settings.get("evaluations"));
        this.maxDrop = settings.get("max-drop");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onValidation(ValidationMetrics m) {
        double loss = m.loss();
        if (seen >= evaluations || !Double.isFinite(loss)) {
            return List.of();
        }
        if (seen == 0) {
            first = loss;
        }
        best = Math.min(best, loss);
        seen++;
        if (seen < evaluations || first <= 0) {
            return List.of();
        }
        double drop = (first - best) / first;
        if (drop >= maxDrop || loss > first) {
            return List.of();
        }
        return findings.alert(m.job(), "validation loss fell only " + Findings.percent(drop) + " over the first "
                + evaluations + " evaluations (from " + Findings.num(first) + " to a best of " + Findings.num(best)
                + " by update " + m.update() + "): the learning rate is too small; raise it", m.update(), loss,
                Map.of("first", first, "best", best, "drop", drop));
    }
}
