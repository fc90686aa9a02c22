package dev.streamtrain.core.schedule;

import java.util.OptionalDouble;

/**
 * A complete learning-rate policy: a closed-form schedule, optional plateau control composed with it, and the clock
 * the schedule counts. Immutable; the changing part is {@link ReduceLROnPlateau.State}.
 *
 * @param schedule the closed-form schedule
 * @param plateau plateau control, or null
 * @param clock what the schedule's step counts
 */
public record LrPolicy(LrSchedule schedule, ReduceLROnPlateau plateau, ScheduleClock clock) {

    /** The initial plateau state (a neutral one when there is no plateau control). */
    public ReduceLROnPlateau.State initialState() {
        return (plateau == null ? ReduceLROnPlateau.defaults() : plateau).initial();
    }

    /** The schedule's raw rate at step t under a state (restarts shift its clock). */
    public double scheduleLr(long t, ReduceLROnPlateau.State s) {
        return schedule.lr(Math.max(0, t - s.restartAt()));
    }

    /** The effective rate at step t. */
    public double lr(long t, ReduceLROnPlateau.State s) {
        double raw = scheduleLr(t, s);
        return plateau == null ? raw : plateau.effective(raw, s);
    }

    /** The cycled momentum at step t, if the schedule cycles it. */
    public OptionalDouble momentum(long t, ReduceLROnPlateau.State s) {
        return schedule.momentum(Math.max(0, t - s.restartAt()));
    }
}
