package dev.streamtrain.core.schedule;

/**
 * Native {@code WarmupCosine} (the seeds' formula): exactly {@code t/w if t <= w else 0.5 * (cos((t - w) / (T - w) *
 * pi) + 1)}, times the base rate. Note the rate is 0 at step 0. Past {@code T} the formula goes on — the cosine rises
 * again, as PyTorch's {@code LambdaLR} with that lambda does —, unless {@code holdAfterTotal} keeps it at 0.
 *
 * @param baseLr peak rate
 * @param warmupSteps w (>= 1)
 * @param totalSteps T (> w)
 * @param holdAfterTotal stay at 0 past T ({@code hold_after_total}; default false)
 */
public record WarmupCosine(double baseLr, long warmupSteps, long totalSteps, boolean holdAfterTotal)
        implements LrSchedule {
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
        double pct = (double) (t - warmupSteps) / (totalSteps - warmupSteps);
        if (holdAfterTotal) {
            pct = Math.min(1.0, pct);
        }
        return baseLr * 0.5 * (Math.cos(pct * Math.PI) + 1);
    }
}
