package dev.streamtrain.core.schedule;

/**
 * PyTorch {@code PolynomialLR}: {@code base_lr * (1 - min(t, total_iters) / total_iters)^power}; 0 from
 * total_iters on.
 *
 * @param baseLr base rate
 * @param totalIters steps until the rate reaches 0 (default 5)
 * @param power exponent (default 1.0: linear)
 */
public record PolynomialLR(double baseLr, long totalIters, double power) implements LrSchedule {
    public PolynomialLR {
        Args.positive("base_lr", baseLr);
        Args.atLeast("total_iters", totalIters, 1);
        Args.positive("power", power);
    }

    @Override
    public double lr(long t) {
        return baseLr * Math.pow(1.0 - (double) Math.min(t, totalIters) / totalIters, power);
    }
}
