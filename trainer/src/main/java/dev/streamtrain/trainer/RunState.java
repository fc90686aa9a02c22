package dev.streamtrain.trainer;

import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.schedule.ReduceLROnPlateau;

/**
 * The trainer's counters and run-level state, owned by the trainer thread: what a checkpoint's {@link TrainerState}
 * is made from, and what a resume or rollback adopts back.
 */
final class RunState {
    long updates;
    long samples;
    long skipped;
    long evaluations;
    long rollbacks;
    /** Multiplier on the scheduled rate from control commands and rollbacks. */
    double lrScale = 1.0;
    ValidationMetrics lastValidation;
    boolean paused;
    /** The run ended (or is ending): commands that would change it are refused. */
    boolean finished;
    /** A critical alert is open: checkpoints are not good until one full checkpoint interval passes without one. */
    boolean suspect;

    /** The record a checkpoint saves. */
    TrainerState toState(dev.streamtrain.core.events.TrainingPosition position, ReduceLROnPlateau.State lrControl,
            dev.streamtrain.trainer.tricks.DynamicLossScaler.State scaler, boolean good) {
        return new TrainerState(updates, samples, evaluations, position.offsets(), lrControl, lastValidation, scaler,
                good, lrScale, rollbacks, position.handledAbove());
    }

    /** Takes the counters of a restored state (the rollback count and the rate scale are the caller's business). */
    void adopt(TrainerState s) {
        updates = s.updates();
        samples = s.samples();
        evaluations = s.evaluations();
        lastValidation = s.validation();
    }
}
