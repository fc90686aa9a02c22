package dev.streamtrain.trainer.lr;

/**
 * Linear warm-up from 0 to {@code baseLr} over {@code warmupSteps} updates, then cosine annealing to {@code etaMin}
 * at {@code totalSteps} (held there afterwards); constant after warm-up when {@code totalSteps} is 0.
 * A pure function of the update count, so a restored update count restores the exact rate.
 *
 * @param baseLr peak rate
 * @param warmupSteps warm-up length (0: none)
 * @param totalSteps end of the cosine (0: no annealing)
 * @param etaMin floor of the cosine
 */
public record WarmupCosineSchedule(double baseLr, int warmupSteps, int totalSteps, double etaMin) {
    public WarmupCosineSchedule {
        if (!(baseLr > 0)) {
            throw new IllegalArgumentException("baseLr must be > 0, got " + baseLr);
        }
        if (warmupSteps < 0 || totalSteps < 0 || (totalSteps > 0 && totalSteps <= warmupSteps)) {
            throw new IllegalArgumentException("need 0 <= warmupSteps < totalSteps (or totalSteps = 0), got warmup="
                    + warmupSteps + " total=" + totalSteps);
        }
    }

    /** The rate for the update that follows {@code t} completed updates. */
    public double lr(long t) {
        if (warmupSteps > 0 && t < warmupSteps) {
            return baseLr * (t + 1) / warmupSteps;
        }
        if (totalSteps == 0) {
            return baseLr;
        }
        double progress = Math.min(1.0, (double) (t - warmupSteps) / (totalSteps - warmupSteps));
        return etaMin + (baseLr - etaMin) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
