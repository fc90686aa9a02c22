package dev.streamtrain.core.schedule;

/**
 * Native {@code WarmupCosine}: exactly {@code t/w if t <= w else 0.5 * (cos((t - w) / (T - w) * pi) + 1)}, times the
 * base rate. Note the rate is 0 at step 0. Past {@code T} it stays 0.
 *
 * @param baseLr peak rate
 * @param warmupSteps w (>= 1)
 * @param totalSteps T (> w)
 */
public record WarmupCosine(double baseLr, long warmupSteps, long totalSteps) implements LrSchedule {
    public WarmupCosine {
        Args.positive("base_lr", baseLr);
        Args.atLeast("warmup_steps", warmupSteps, 1);
        Args.atLeast("total_steps", totalSteps, warmupSteps + 1);
    }

    @Override
    public double lr(long t) {
        if (t <= warmupSteps) {
            return baseLr * t / warmupSteps;
        }
        double pct = Math.min(1.0, (double) (t - warmupSteps) / (totalSteps - warmupSteps));
        return baseLr * 0.5 * (Math.cos(pct * Math.PI) + 1);
    }
}
