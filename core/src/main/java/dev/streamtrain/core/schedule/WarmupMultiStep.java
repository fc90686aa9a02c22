package dev.streamtrain.core.schedule;

import java.util.List;

/**
 * Native {@code WarmupMultiStep}: exactly {@code t/w if t <= w else gamma^(number of milestones <= t)}, times the
 * base rate.
 *
 * @param baseLr peak rate
 * @param warmupSteps w (>= 1)
 * @param milestones non-decreasing steps
 * @param gamma decay per milestone (default 0.1)
 */
public record WarmupMultiStep(double baseLr, long warmupSteps, List<Long> milestones, double gamma)
        implements LrSchedule {
    public WarmupMultiStep {
        Args.positive("base_lr", baseLr);
        Args.atLeast("warmup_steps", warmupSteps, 1);
        milestones = Args.milestones("milestones", milestones);
        Args.positive("gamma", gamma);
    }

    @Override
    public double lr(long t) {
        if (t <= warmupSteps) {
            return baseLr * t / warmupSteps;
        }
        return baseLr * Math.pow(gamma, Args.passed(milestones, t));
    }
}
