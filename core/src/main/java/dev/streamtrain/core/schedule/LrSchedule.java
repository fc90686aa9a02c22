package dev.streamtrain.core.schedule;

import java.util.OptionalDouble;

/**
 * A closed-form schedule: the learning rate as a pure function of the step count {@code t} (0-based: {@code lr(t)}
 * is the rate used by the update that follows {@code t} completed steps), so a restored step count restores the
 * exact rate. Schedules that cycle momentum (or Adam's beta1) also answer {@link #momentum}.
 */
public interface LrSchedule {
    /** The learning rate at step {@code t >= 0}. */
    double lr(long t);

    /** The momentum at step {@code t} when this schedule cycles it; empty otherwise. */
    default OptionalDouble momentum(long t) {
        return OptionalDouble.empty();
    }

    /** Whether {@link #momentum} ever answers. */
    default boolean cyclesMomentum() {
        return false;
    }

    /**
     * PyTorch's chainable step, used by {@link ChainedScheduler}: the rate this schedule sets at step {@code t} when
     * the rate it finds is {@code current}. The default is multiplicative ({@code current * lr(t) / lr(t-1)}, and
     * {@code current * lr(0) / baseLr} at step 0), which is PyTorch's form for StepLR, MultiStepLR, ExponentialLR,
     * LinearLR, ConstantLR and PolynomialLR; schedules whose PyTorch {@code get_lr} sets an absolute value override
     * it with {@code lr(t)}.
     *
     * @param baseLr the chain's base rate
     */
    default double chained(double current, long t, double baseLr) {
        double before = t == 0 ? baseLr : lr(t - 1);
        return before == 0 ? lr(t) : current * lr(t) / before;
    }
}
