package dev.streamtrain.core.schedule;

import java.util.OptionalDouble;

/**
 * Native {@code warmup} wrapper around any schedule: for the first {@code warmup_steps} steps, {@code linear} mode
 * rises from {@code start_factor * base_lr} to the wrapped schedule's first value
 * ({@code start + (inner(0) - start) * t / w}); {@code constant} mode holds {@code start_factor * base_lr}. Then the
 * wrapped schedule runs on its own clock from 0 (so a cosine after warm-up is measured from step w).
 *
 * @param inner the wrapped schedule
 * @param baseLr the base rate (start_factor applies to it)
 * @param warmupSteps w (>= 1)
 * @param mode linear or constant
 * @param startFactor the warm-up starts at start_factor * base_lr (default 0)
 */
public record Warmup(LrSchedule inner, double baseLr, long warmupSteps, String mode, double startFactor)
        implements LrSchedule {
    public Warmup {
        Args.positive("base_lr", baseLr);
        Args.atLeast("warmup_steps", warmupSteps, 1);
        if (!java.util.List.of("linear", "constant").contains(mode)) {
            throw Args.bad("mode", mode, "linear or constant");
        }
        Args.inRange("start_factor", startFactor, 0, 1);
    }

    @Override
    public double lr(long t) {
        if (t >= warmupSteps) {
            return inner.lr(t - warmupSteps);
        }
        double start = startFactor * baseLr;
        return mode.equals("constant") ? start : start + (inner.lr(0) - start) * t / warmupSteps;
    }

    @Override
    public OptionalDouble momentum(long t) {
        return inner.momentum(Math.max(0, t - warmupSteps));
    }

    @Override
    public boolean cyclesMomentum() {
        return inner.cyclesMomentum();
    }
}
