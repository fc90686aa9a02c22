package dev.streamtrain.core.schedule;

/**
 * Native {@code HoldCosine}: the base rate for the first {@code hold_steps}, then cosine annealing to
 * {@code eta_min} at {@code total_steps}, held there afterwards.
 *
 * @param baseLr rate while holding
 * @param holdSteps steps at the base rate
 * @param totalSteps step where the cosine reaches eta_min (> hold_steps)
 * @param etaMin floor (default 0)
 */
public record HoldCosine(double baseLr, long holdSteps, long totalSteps, double etaMin) implements LrSchedule {
    public HoldCosine {
        Args.positive("base_lr", baseLr);
        Args.atLeast("hold_steps", holdSteps, 0);
        Args.atLeast("total_steps", totalSteps, holdSteps + 1);
        Args.nonNegative("eta_min", etaMin);
    }

    @Override
    public double lr(long t) {
        if (t < holdSteps) {
            return baseLr;
        }
        double pct = Math.min(1.0, (double) (t - holdSteps) / (totalSteps - holdSteps));
        return Args.cosine(baseLr, etaMin, pct);
    }
}
