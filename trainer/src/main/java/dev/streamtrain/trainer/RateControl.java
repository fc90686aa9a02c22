package dev.streamtrain.trainer;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.schedule.LrController;
import dev.streamtrain.trainer.optim.StepHyperParameters;

/**
 * The rate and momentum of the next update: the schedule's values (with plateau control) on the configured clock,
 * times the run's own scale, which control commands ({@code scale-lr}, {@code set-lr}) and rollbacks change and
 * checkpoints keep.
 */
final class RateControl {
    private final JobConfig cfg;
    private final RunState state;
    private final LrController lr;
    private final StepHyperParameters hyper;

    RateControl(JobConfig cfg, RunState state) {
        this.cfg = cfg;
        this.state = state;
        this.lr = new LrController(cfg.schedule());
        this.hyper = new StepHyperParameters(lr.lr(0), momentumAt(0));
    }

    /** The schedule's step now, on the configured clock. */
    long step() {
        return cfg.schedule().clock().step(state.updates, state.samples, state.evaluations);
    }

    /** The rate for the next update (before linear scaling to the batch). */
    double current() {
        return lr.lr(step()) * state.lrScale;
    }

    /** The momentum (or beta1) for the next update. */
    double momentum() {
        return momentumAt(step());
    }

    /** The schedule's cycled momentum at step t, else the optimizer's. */
    private double momentumAt(long t) {
        return lr.momentum(t).orElse(cfg.optimizer().momentum());
    }

    /** The schedule and plateau control. */
    LrController controller() {
        return lr;
    }

    /** What the optimizer reads at each update. */
    StepHyperParameters hyper() {
        return hyper;
    }
}
