package dev.streamtrain.core.schedule;

import java.util.List;

/**
 * PyTorch {@code ReduceLROnPlateau} as a pure transition {@code (state, metric) -> decision}, with PyTorch's exact
 * rules: a metric is better when {@code value < best * (1 - threshold)} (rel, min), {@code value < best - threshold}
 * (abs, min), {@code value > best * (1 + threshold)} (rel, max) or {@code value > best + threshold} (abs, max); NaN
 * is never better; during cooldown bad observations are not counted; the {@code (patience+1)}-th consecutive bad
 * observation triggers; a reduction smaller than {@code eps} is skipped. As in PyTorch, rel mode with negative
 * metrics compares against {@code best * (1 - threshold)}, which lies above a negative best.
 *
 * <p>Unlike PyTorch it composes with any schedule: the reduction multiplies a scale, and the effective rate is
 * {@code max(min_lr, schedule(t) * scale)}, so warm-up + plateau and cyclical + plateau (amplitude shrinks) work.
 * With {@code on_plateau: restart} a plateau is answered with a warm restart instead: the schedule's clock restarts
 * at 0 (back to the cycle's peak), its amplitude multiplied by {@code restart_decay}.
 *
 * @param mode min or max
 * @param factor reduction multiplier, in (0, 1) (default 0.1)
 * @param patience bad observations tolerated (default 10)
 * @param threshold significance of an improvement (default 1e-4)
 * @param thresholdMode rel or abs
 * @param cooldown observations ignored after a reduction (default 0)
 * @param minLr floor of the effective rate (default 0)
 * @param eps smallest reduction applied (default 1e-8)
 * @param onPlateau reduce (PyTorch) or restart
 * @param restartDecay amplitude multiplier per restart, in (0, 1] (default 1)
 */
public record ReduceLROnPlateau(String mode, double factor, long patience, double threshold, String thresholdMode,
        long cooldown, double minLr, double eps, String onPlateau, double restartDecay) {
    public ReduceLROnPlateau {
        if (!List.of("min", "max").contains(mode)) {
            throw Args.bad("mode", mode, "min or max");
        }
        if (!(factor > 0 && factor < 1)) {
            throw Args.bad("factor", factor, "in (0, 1) (a reduction)");
        }
        Args.atLeast("patience", patience, 0);
        Args.nonNegative("threshold", threshold);
        if (!List.of("rel", "abs").contains(thresholdMode)) {
            throw Args.bad("threshold_mode", thresholdMode, "rel or abs");
        }
        Args.atLeast("cooldown", cooldown, 0);
        Args.nonNegative("min_lr", minLr);
        Args.nonNegative("eps", eps);
        if (!List.of("reduce", "restart").contains(onPlateau)) {
            throw Args.bad("on_plateau", onPlateau, "reduce or restart");
        }
        Args.decay("restart_decay", restartDecay);
    }

    /** PyTorch's defaults (mode min). */
    public static ReduceLROnPlateau defaults() {
        return new ReduceLROnPlateau("min", 0.1, 10, 1e-4, "rel", 0, 0, 1e-8, "reduce", 1.0);
    }

    /**
     * Plateau state: what a checkpoint must hold to resume the exact decisions.
     *
     * @param best best metric so far (mode's worst value initially)
     * @param badObservations consecutive observations without improvement
     * @param cooldownLeft observations still ignored
     * @param scale multiplier on the schedule
     * @param reductions reductions so far
     * @param restarts warm restarts so far
     * @param restartAt schedule-clock step of the last restart (the schedule runs on {@code t - restartAt})
     * @param observations metrics observed
     */
    public record State(double best, long badObservations, long cooldownLeft, double scale, long reductions,
            long restarts, long restartAt, long observations) {
    }

    /** What an observation decided. */
    public enum Action { NONE, REDUCED, RESTARTED, SKIPPED_BELOW_EPS }

    /**
     * The result of one observation.
     *
     * @param state the new state
     * @param action what happened
     * @param oldLr effective rate before
     * @param newLr effective rate after (at the same step)
     */
    public record Decision(State state, Action action, double oldLr, double newLr) {
    }

    /** The state before any observation. */
    public State initial() {
        return new State(mode.equals("min") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY, 0, 0, 1.0, 0, 0, 0,
                0);
    }

    boolean isBetter(double value, double best) {
        if (mode.equals("min")) {
            return thresholdMode.equals("rel") ? value < best * (1 - threshold) : value < best - threshold;
        }
        return thresholdMode.equals("rel") ? value > best * (threshold + 1) : value > best + threshold;
    }

    /** The effective rate for a schedule value under a state. */
    public double effective(double scheduleLr, State s) {
        return Math.max(minLr, scheduleLr * s.scale());
    }

    /**
     * Observes a metric.
     *
     * @param s current state
     * @param metric the observed value (NaN counts as not better)
     * @param scheduleLr the schedule's raw rate at the current step (before scale and floor)
     * @param t the current schedule-clock step (where a restart begins)
     */
    public Decision observe(State s, double metric, double scheduleLr, long t) {
        double best = s.best();
        long bad = s.badObservations();
        if (isBetter(metric, best)) {
            best = metric;
            bad = 0;
        } else {
            bad++;
        }
        long cooldownLeft = s.cooldownLeft();
        if (cooldownLeft > 0) {
            cooldownLeft--;
            bad = 0;
        }
        double oldLr = effective(scheduleLr, s);
        State next = new State(best, bad, cooldownLeft, s.scale(), s.reductions(), s.restarts(), s.restartAt(),
                s.observations() + 1);
        if (bad <= patience) {
            return new Decision(next, Action.NONE, oldLr, oldLr);
        }
        if (onPlateau.equals("restart")) {
            State restarted = new State(best, 0, cooldown, s.scale() * restartDecay, s.reductions(), s.restarts() + 1,
                    t, next.observations());
            return new Decision(restarted, Action.RESTARTED, oldLr, Double.NaN);
        }
        double newLr = Math.max(oldLr * factor, minLr);
        if (oldLr - newLr > eps) {
            State reduced = new State(best, 0, cooldown, s.scale() * factor, s.reductions() + 1, s.restarts(),
                    s.restartAt(), next.observations());
            return new Decision(reduced, Action.REDUCED, oldLr, newLr);
        }
        State skipped = new State(best, 0, cooldown, s.scale(), s.reductions(), s.restarts(), s.restartAt(),
                next.observations());
        return new Decision(skipped, Action.SKIPPED_BELOW_EPS, oldLr, oldLr);
    }
}
