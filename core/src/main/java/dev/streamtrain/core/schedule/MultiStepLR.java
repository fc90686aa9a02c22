package dev.streamtrain.core.schedule;

import java.util.List;

/**
 * PyTorch {@code MultiStepLR}: {@code base_lr * gamma^(number of milestones <= t)}. A milestone at 0 already
 * applies at the first update; a repeated milestone applies gamma twice, as in PyTorch.
 *
 * @param baseLr initial rate
 * @param milestones non-decreasing step indices
 * @param gamma multiplicative decay (default 0.1)
 */
public record MultiStepLR(double baseLr, List<Long> milestones, double gamma) implements LrSchedule {
    public MultiStepLR {
        Args.positive("base_lr", baseLr);
        milestones = Args.milestones("milestones", milestones);
        Args.positive("gamma", gamma);
    }

    @Override
    public double lr(long t) {
        return baseLr * Math.pow(gamma, Args.passed(milestones, t));
    }
}
