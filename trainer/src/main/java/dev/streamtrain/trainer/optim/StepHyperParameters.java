package dev.streamtrain.trainer.optim;

/**
 * The per-update knobs a schedule turns: learning rate and momentum (Adam's beta1). Written by the training thread
 * before each update, read by the optimizer during it.
 */
public final class StepHyperParameters {
    private volatile double lr;
    private volatile double momentum;

    public StepHyperParameters(double lr, double momentum) {
        set(lr, momentum);
    }

    /** Sets both for the next update. */
    public void set(double lr, double momentum) {
        this.lr = lr;
        this.momentum = momentum;
    }

    public double lr() {
        return lr;
    }

    public double momentum() {
        return momentum;
    }
}
