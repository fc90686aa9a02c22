package dev.streamtrain.core.lrfind;

import dev.streamtrain.core.schedule.ExponentialLR;
import dev.streamtrain.core.schedule.LinearLR;
import dev.streamtrain.core.schedule.LrPolicy;
import dev.streamtrain.core.schedule.LrSchedule;
import dev.streamtrain.core.schedule.ScheduleClock;
import java.util.ArrayList;
import java.util.List;

/**
 * The rates of a range test: update {@code i} (0-based) of {@code steps} uses {@code start * (end/start)^(i/(steps-1))}
 * ({@code exp}, fastai's {@code SchedExp}) or {@code start + (end-start) * i/(steps-1)} ({@code linear}); the first
 * update uses {@code start}, the last {@code end}. As a schedule it is PyTorch's {@code ExponentialLR} from
 * {@code start} with {@code gamma = (end/start)^(1/(steps-1))}, or {@code LinearLR} on {@code end} from
 * {@code start/end} to 1 over {@code steps-1} updates.
 *
 * @param start the first rate (&gt; 0)
 * @param end the last rate (&gt; start)
 * @param steps updates in the sweep (&gt;= {@value #MIN_STEPS}: the suggestions leave out the first tenth and the last
 *     five and read at least five)
 * @param mode {@code exp} or {@code linear}
 */
public record RangeSweep(double start, double end, int steps, String mode) {
    /** Fewest updates a sweep may have: fewer leave the suggestions fewer than five points to read. */
    public static final int MIN_STEPS = 12;

    /** Every problem with these settings, by option name; empty when they are fine. */
    public static List<String> problems(double start, double end, int steps, String mode) {
        List<String> out = new ArrayList<>();
        if (!(start > 0) || !Double.isFinite(start)) {
            out.add("--start must be a rate > 0, got " + start);
        }
        if (!(end > start) || !Double.isFinite(end)) {
            out.add("--end must be a finite rate above --start (" + start + "), got " + end);
        }
        if (steps < MIN_STEPS) {
            out.add("--steps must be at least " + MIN_STEPS + ", got " + steps);
        }
        if (!mode.equals("exp") && !mode.equals("linear")) {
            out.add("--mode must be exp or linear, got '" + mode + "'");
        }
        return out;
    }

    public RangeSweep {
        List<String> problems = problems(start, end, steps, mode);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The rate of update {@code i} (0-based). */
    public double lr(int i) {
        double pos = (double) i / (steps - 1);
        return mode.equals("exp") ? start * Math.pow(end / start, pos) : start + (end - start) * pos;
    }

    /** The sweep as a learning-rate policy the trainer runs (no plateau control), counted in updates. */
    public LrPolicy policy() {
        LrSchedule s = mode.equals("exp") ? new ExponentialLR(start, Math.pow(end / start, 1.0 / (steps - 1)))
                : new LinearLR(end, start / end, 1.0, steps - 1);
        return new LrPolicy(s, null, ScheduleClock.updates());
    }

    /** The rate the optimizer is configured with (the schedule's base). */
    public double baseLr() {
        return mode.equals("exp") ? start : end;
    }
}
