package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.ValidationMetrics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code early_flattening}: the validation loss dropped fast over the first stretch of {@code evaluations}
 * evaluations, then the last stretch of as many evaluations improved it by less than {@code min-improvement}
 * (relative) while it is still above {@code high-level} times the first loss. Training-knowledge §9: the later
 * learning rate is too large; lower it (or decay it sooner) and redo the last part from a checkpoint before the
 * flattening.
 *
 * <p>Both stretches are judged on the best loss so far, not single evaluations, so validation noise neither fakes
 * nor hides a flattening: fast drop = {@code (first - best of first stretch) / first}; improvement over the last
 * stretch = {@code (best before it - best now) / best before it}. The two stretches do not overlap. The rule alerts
 * when the pattern appears and again only after it has gone away and come back. Non-finite losses are skipped.
 */
public final class EarlyFlatteningRule implements MetricRule {
    static final String KIND = "early_flattening";
    private final Findings findings;
    private final int evaluations;
    private final double fastDrop;
    private final double minImprovement;
    private final double highLevel;
    private final List<Double> losses = new ArrayList<>();
    private boolean flat;

    public EarlyFlatteningRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.evaluations = Math.max(1, (int) settings.get("evaluations"));
        this.fastDrop = settings.get("fast-drop");
        this.minImprovement = settings.get("min-improvement");
        this.highLevel = settings.get("high-level");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onValidation(ValidationMetrics m) {
        if (!Double.isFinite(m.loss())) {
            return List.of();
        }
        losses.add(m.loss());
        int n = losses.size();
        if (n < 2 * evaluations) {
            return List.of();
        }
        double first = losses.get(0);
        double drop = first > 0 ? (first - min(0, evaluations)) / first : 0;
        double before = min(0, n - evaluations);
        double best = min(0, n);
        double improvement = before > 0 ? (before - best) / before : 0;
        boolean now = drop >= fastDrop && improvement < minImprovement && best > highLevel * first;
        boolean fire = now && !flat;
        flat = now;
        if (!fire) {
            return List.of();
        }
        return findings.alert(m.job(), "validation loss dropped fast (by " + Findings.percent(drop) + " over the"
                + " first " + evaluations + " evaluations), then flattened high: the best loss improved by only "
                + Findings.percent(improvement) + " over the last " + evaluations + " evaluations and is still "
                + Findings.num(best) + " (first " + Findings.num(first) + ") at update " + m.update()
                + ": the later learning rate is too large; lower it and redo the last part from an earlier"
                + " checkpoint", m.update(), m.loss(),
                Map.of("first", first, "best", best, "drop", drop, "improvement", improvement));
    }

    /** Smallest loss of evaluations {@code from} (inclusive) to {@code to} (exclusive). */
    private double min(int from, int to) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = from; i < to; i++) {
            best = Math.min(best, losses.get(i));
        }
        return best;
    }
}
