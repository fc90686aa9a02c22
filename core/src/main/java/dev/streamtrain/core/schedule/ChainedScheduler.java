package dev.streamtrain.core.schedule;

import java.util.List;
import java.util.OptionalDouble;

/**
 * PyTorch {@code ChainedScheduler}: at every step each schedule, in order, applies its chainable step to the rate the
 * previous one left ({@link LrSchedule#chained}); at step 0 each applies its initial step, as PyTorch's constructors
 * do. The rate is a deterministic function of the step; it is computed by walking the chain forward from the last
 * step asked (O(1) per step in training, O(t) after a jump back). When several schedules cycle momentum, the last
 * one wins, as in PyTorch.
 */
public final class ChainedScheduler implements LrSchedule {
    private final double baseLr;
    private final List<LrSchedule> schedules;
    private long cachedStep = -1;
    private double cachedLr;

    /**
     * @param baseLr the rate the schedules were built with
     * @param schedules the chained schedules (at least one)
     */
    public ChainedScheduler(double baseLr, List<LrSchedule> schedules) {
        this.baseLr = Args.positive("base_lr", baseLr);
        this.schedules = List.copyOf(schedules);
        if (this.schedules.isEmpty()) {
            throw Args.bad("schedulers", "[]", "a non-empty list");
        }
    }

    public List<LrSchedule> schedules() {
        return schedules;
    }

    @Override
    public synchronized double lr(long t) {
        if (t < cachedStep || cachedStep < 0) {
            cachedStep = -1;
            cachedLr = baseLr;
        }
        while (cachedStep < t) {
            cachedStep++;
            for (LrSchedule s : schedules) {
                cachedLr = s.chained(cachedLr, cachedStep, baseLr);
            }
        }
        return cachedLr;
    }

    @Override
    public OptionalDouble momentum(long t) {
        OptionalDouble m = OptionalDouble.empty();
        for (LrSchedule s : schedules) {
            OptionalDouble candidate = s.momentum(t);
            if (candidate.isPresent()) {
                m = candidate;
            }
        }
        return m;
    }

    @Override
    public boolean cyclesMomentum() {
        return schedules.stream().anyMatch(LrSchedule::cyclesMomentum);
    }

    @Override
    public String toString() {
        return "ChainedScheduler" + schedules;
    }
}
