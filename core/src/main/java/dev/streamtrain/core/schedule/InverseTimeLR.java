package dev.streamtrain.core.schedule;

/**
 * Native {@code InverseTimeLR} ("1/t" decay): {@code base_lr / (1 + k t)}.
 *
 * @param baseLr initial rate
 * @param k decay rate (>= 0)
 */
public record InverseTimeLR(double baseLr, double k) implements LrSchedule {
    public InverseTimeLR {
        Args.positive("base_lr", baseLr);
        Args.nonNegative("k", k);
    }

    @Override
    public double lr(long t) {
        return baseLr / (1 + k * t);
    }
}
