package dev.streamtrain.core.schedule;

/**
 * PyTorch {@code StepLR}: {@code base_lr * gamma^floor(t / step_size)}.
 *
 * @param baseLr initial rate
 * @param stepSize period of decay (>= 1)
 * @param gamma multiplicative decay (default 0.1)
 */
public record StepLR(double baseLr, long stepSize, double gamma) implements LrSchedule {
    public StepLR {
        Args.positive("base_lr", baseLr);
        Args.atLeast("step_size", stepSize, 1);
        Args.positive("gamma", gamma);
    }

    @Override
    public double lr(long t) {
        return baseLr * Math.pow(gamma, Math.floorDiv(t, stepSize));
    }
}
