package dev.streamtrain.core.schedule;

/**
 * PyTorch {@code LinearLR}: the factor moves linearly from {@code start_factor} to {@code end_factor} over
 * {@code total_iters} steps, then holds: {@code base_lr * (start + (end - start) * min(t, total_iters) / total_iters)}.
 *
 * @param baseLr base rate
 * @param startFactor factor at step 0 (default 1/3), in (0, 1]
 * @param endFactor factor from total_iters on (default 1.0), in [0, 1]
 * @param totalIters steps of the ramp (default 5)
 */
public record LinearLR(double baseLr, double startFactor, double endFactor, long totalIters) implements LrSchedule {
    public LinearLR {
        Args.positive("base_lr", baseLr);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw Args.bad("start_factor", startFactor, "in (0, 1]");
        }
        Args.inRange("end_factor", endFactor, 0, 1);
        Args.atLeast("total_iters", totalIters, 1);
    }

    @Override
    public double lr(long t) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(t, totalIters) / totalIters);
    }
}
