package dev.streamtrain.core.schedule;

import java.util.List;
import java.util.OptionalDouble;

/**
 * PyTorch {@code SequentialLR}: schedule {@code i} runs from milestone {@code i-1} to milestone {@code i}; each
 * later schedule restarts at its own step 0 from the base rate, as PyTorch's does.
 *
 * @param schedules the schedules in order (at least one)
 * @param milestones {@code schedules.size() - 1} increasing steps where the next schedule takes over
 */
public record SequentialLR(List<LrSchedule> schedules, List<Long> milestones) implements AbsoluteSchedule {
    public SequentialLR {
        schedules = List.copyOf(schedules);
        milestones = Args.milestones("milestones", milestones);
        if (schedules.isEmpty()) {
            throw Args.bad("schedulers", "[]", "a non-empty list");
        }
        if (milestones.size() != schedules.size() - 1) {
            throw Args.bad("milestones", milestones, "one fewer than the schedulers (" + (schedules.size() - 1) + ")");
        }
    }

    private int active(long t) {
        return Args.passed(milestones, t);
    }

    private long local(long t, int index) {
        return index == 0 ? t : t - milestones.get(index - 1);
    }

    @Override
    public double lr(long t) {
        int i = active(t);
        return schedules.get(i).lr(local(t, i));
    }

    @Override
    public OptionalDouble momentum(long t) {
        int i = active(t);
        return schedules.get(i).momentum(local(t, i));
    }

    @Override
    public boolean cyclesMomentum() {
        return schedules.stream().anyMatch(LrSchedule::cyclesMomentum);
    }
}
