package dev.streamtrain.core.schedule;

/**
 * PyTorch {@code CosineAnnealingLR}: {@code eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2}. Past
 * {@code T_max} the rate follows the cosine back up, as PyTorch's does (it is periodic with period {@code 2 T_max}).
 *
 * @param baseLr initial (maximum) rate
 * @param tMax half-period (>= 1)
 * @param etaMin minimum rate (default 0)
 */
public record CosineAnnealingLR(double baseLr, long tMax, double etaMin) implements LrSchedule {
    public CosineAnnealingLR {
        Args.positive("base_lr", baseLr);
        Args.atLeast("T_max", tMax, 1);
        Args.nonNegative("eta_min", etaMin);
    }

    @Override
    public double lr(long t) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }

    /** PyTorch's recursive form, including its additive step out of each trough. */
    @Override
    public double chained(double current, long t, double chainBase) {
        if (t == 0) {
            return current;
        }
        if (Math.floorMod(t - 1 - tMax, 2 * tMax) == 0) {
            return current + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax)) * (current - etaMin)
                + etaMin;
    }
}
