package dev.streamtrain.core.schedule;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The running learning-rate control of one trainer: answers the rate (and momentum) for the next update and feeds
 * validation metrics to the plateau rule. Its only state is a {@link ReduceLROnPlateau.State} record, which
 * {@link #snapshot()} and {@link #restore} move in and out of checkpoints. Not thread-safe: the training thread owns
 * it.
 */
public final class LrController {
    private final LrPolicy policy;
    private ReduceLROnPlateau.State state;

    public LrController(LrPolicy policy) {
        this.policy = policy;
        this.state = policy.initialState();
    }

    public LrPolicy policy() {
        return policy;
    }

    /**
     * The rate for the update at schedule step t.
     *
     * @throws InvalidRateException when the policy yields a rate that is negative or not finite: no schedule may
     *     hand one to the optimizer (an exponential growth overflowing, a schedule's bug; the message names the step)
     */
    public double lr(long t) {
        double lr = policy.lr(t, state);
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new InvalidRateException("the schedule gave the rate " + lr + " at step " + t + "; a rate must be"
                    + " finite and >= 0");
        }
        return lr;
    }

    /** The cycled momentum at schedule step t, if any. */
    public OptionalDouble momentum(long t) {
        return policy.momentum(t, state);
    }

    /**
     * Observes a validation metric at schedule step t.
     *
     * @return the decision when it changed something (a reduction or restart), else empty
     */
    public Optional<ReduceLROnPlateau.Decision> observe(double metric, long t) {
        if (policy.plateau() == null) {
            return Optional.empty();
        }
        ReduceLROnPlateau.Decision d = policy.plateau().observe(state, metric, policy.scheduleLr(t, state), t);
        state = d.state();
        if (d.action() == ReduceLROnPlateau.Action.RESTARTED) {
            d = new ReduceLROnPlateau.Decision(d.state(), d.action(), d.oldLr(), lr(t));
        }
        return d.action() == ReduceLROnPlateau.Action.REDUCED || d.action() == ReduceLROnPlateau.Action.RESTARTED
                ? Optional.of(d) : Optional.empty();
    }

    /** The state to checkpoint. */
    public ReduceLROnPlateau.State snapshot() {
        return state;
    }

    /** Restores a checkpointed state. */
    public void restore(ReduceLROnPlateau.State saved) {
        this.state = saved;
    }
}
