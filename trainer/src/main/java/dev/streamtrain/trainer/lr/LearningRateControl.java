package dev.streamtrain.trainer.lr;

import ai.djl.training.tracker.Tracker;

/**
 * The trainer's learning rate: a closed-form schedule composed with plateau control, exposed to DJL's optimizer as a
 * {@link Tracker} that reads the value set before each update (DJL asks the tracker once per parameter per update,
 * so the read must be cheap).
 */
public final class LearningRateControl {
    private final WarmupCosineSchedule schedule;
    private final PlateauController plateau;
    private final double minLr;
    private PlateauController.State plateauState = PlateauController.State.initial();
    private volatile float current;

    /**
     * @param schedule closed-form schedule
     * @param plateau plateau controller, or null for none
     * @param minLr floor of the effective rate
     */
    public LearningRateControl(WarmupCosineSchedule schedule, PlateauController plateau, double minLr) {
        this.schedule = schedule;
        this.plateau = plateau;
        this.minLr = minLr;
        this.current = (float) rateAt(0);
    }

    /** Sets the rate for the update that follows {@code completedUpdates}; returns it. */
    public double prepare(long completedUpdates) {
        double lr = rateAt(completedUpdates);
        current = (float) lr;
        return lr;
    }

    private double rateAt(long t) {
        return Math.max(minLr, schedule.lr(t) * plateauState.scale());
    }

    /** Feeds a validation loss to the plateau controller; returns true when it reduced the rate. */
    public boolean observeValidationLoss(double loss) {
        if (plateau == null) {
            return false;
        }
        int before = plateauState.reductions();
        plateauState = plateau.observe(plateauState, loss);
        return plateauState.reductions() > before;
    }

    /** Plateau state (for checkpoints). */
    public PlateauController.State plateauState() {
        return plateauState;
    }

    /** The tracker to give DJL's optimizer. */
    public Tracker tracker() {
        return numUpdate -> current;
    }
}
