package dev.streamtrain.core.schedule;

/**
 * PyTorch {@code ConstantLR}: {@code base_lr * factor} for the first {@code total_iters} steps, then
 * {@code base_lr}.
 *
 * @param baseLr base rate
 * @param factor multiplier before total_iters (default 1/3), in [0, 1]
 * @param totalIters steps the factor applies (default 5)
 */
public record ConstantLR(double baseLr, double factor, long totalIters) implements LrSchedule {
    public ConstantLR {
        Args.positive("base_lr", baseLr);
        Args.inRange("factor", factor, 0, 1);
        Args.atLeast("total_iters", totalIters, 0);
    }

    @Override
    public double lr(long t) {
        return t < totalIters ? baseLr * factor : baseLr;
    }
}
