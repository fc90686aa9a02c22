package dev.streamtrain.core.schedule;

/**
 * PyTorch {@code ExponentialLR}: {@code base_lr * gamma^t}.
 *
 * @param baseLr initial rate
 * @param gamma multiplicative decay per step
 */
public record ExponentialLR(double baseLr, double gamma) implements LrSchedule {
    public ExponentialLR {
        Args.positive("base_lr", baseLr);
        Args.positive("gamma", gamma);
    }

    @Override
    public double lr(long t) {
        return baseLr * Math.pow(gamma, t);
    }
}
