package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.StepMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code loss_spike}: a training loss far above its running level, judged by a z-score against an exponentially
 * weighted running mean and variance of the finite training losses.
 *
 * <p>Keys ({@link dev.streamtrain.core.config.RuleCatalog}): {@code z-threshold} (standard deviations above the mean
 * that make a spike), {@code warmup} (finite losses observed before spikes are judged), {@code alpha} (weight of a new
 * loss in the running mean and variance), {@code min-std-fraction} (the standard deviation used is at least this
 * fraction of the mean, so a very smooth curve does not turn noise into spikes).
 *
 * <p>The running statistics are the incremental exponentially weighted mean and variance (Finch, "Incremental
 * calculation of weighted mean and variance", 2009, §9). A spike is not absorbed into them, as in Lightning's spike
 * detection: otherwise one huge loss (say 1e30) would inflate the variance and hide the spikes that follow. Non-finite
 * losses are left to {@code non_finite_loss}. The alert names the update of the spike, so a rollback restores a state
 * saved before it.
 */
public final class LossSpikeRule implements MetricRule {
    static final String KIND = "loss_spike";
    /** Below this the floored standard deviation is still zero (a loss of exactly 0): avoids dividing by zero. */
    private static final double TINY_STD = 1e-12;
    private final Findings findings;
    private final double zThreshold;
    private final long warmup;
    private final double alpha;
    private final double minStdFraction;
    private long seen;
    private double mean;
    private double variance;

    public LossSpikeRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.zThreshold = settings.get("z-threshold");
        this.warmup = (long) settings.get("warmup");
        this.alpha = settings.get("alpha");
        this.minStdFraction = settings.get("min-std-fraction");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onStep(StepMetrics m) {
        double loss = m.loss();
        if (!Double.isFinite(loss)) {
            return List.of();
        }
        if (seen >= warmup && seen > 0) {
            double std = Math.max(Math.max(Math.sqrt(variance), minStdFraction * Math.abs(mean)), TINY_STD);
            double z = (loss - mean) / std;
            if (z > zThreshold) {
                return findings.alert(m.job(), "training loss " + Findings.num(loss) + " at update " + m.update()
                        + " is " + Findings.num(z) + " standard deviations above its running mean "
                        + Findings.num(mean) + " (std " + Findings.num(std) + "): a loss spike; if it recurs,"
                        + " the learning rate is too large for this stretch (lower it, clip gradients), else check"
                        + " the records of this minibatch", m.update(), loss,
                        Map.of("z", z, "mean", mean, "std", std, "threshold", zThreshold));
            }
        }
        absorb(loss);
        return List.of();
    }

    private void absorb(double loss) {
        if (seen == 0) {
            mean = loss;
            variance = 0;
        } else {
            double diff = loss - mean;
            double increment = alpha * diff;
            mean += increment;
            variance = (1 - alpha) * (variance + diff * increment);
        }
        seen++;
    }

    /** The running mean (for tests and logs). */
    double mean() {
        return mean;
    }
}
