package dev.streamtrain.trainer;

import dev.streamtrain.core.events.PartitionOffset;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.schedule.ReduceLROnPlateau;
import java.util.List;

/**
 * Everything besides parameters and optimizer buffers that a checkpoint must hold to resume exactly: counters, the
 * Kafka offsets included, the learning-rate control's state and the last validation metrics. Saved as
 * {@code state.json}.
 *
 * @param updates optimizer updates done
 * @param samples examples handled
 * @param evaluations validations done (the evaluations clock)
 * @param offsets next offsets per partition, for everything included
 * @param lrControl plateau/restart state of the learning-rate control
 * @param validation last validation metrics (null before the first)
 * @param lossScaler dynamic loss scaling state under fp16 (null otherwise)
 * @param good whether the checkpoint may be resumed from, rolled back to and exported: its weights were finite and
 *     no critical alert was open when it was saved (null in checkpoints written before guards existed: they were
 *     written only with finite weights, so they count as good)
 * @param lrScale multiplier on the scheduled rate set by control commands and rollbacks (1: none)
 * @param rollbacks rollbacks done so far
 * @param handledAbove records above {@code offsets} already handled (trained or dead-lettered while an earlier record
 *     was still on its way): a resume passes over them (empty in older state files)
 */
public record TrainerState(long updates, long samples, long evaluations, List<PartitionOffset> offsets,
        ReduceLROnPlateau.State lrControl, ValidationMetrics validation,
        dev.streamtrain.trainer.tricks.DynamicLossScaler.State lossScaler, Boolean good, double lrScale,
        long rollbacks, List<dev.streamtrain.core.batch.OffsetRange> handledAbove) {
    public TrainerState {
        offsets = List.copyOf(offsets);
        handledAbove = handledAbove == null ? List.of() : List.copyOf(handledAbove);
        if (!(lrScale > 0)) {
            lrScale = 1.0; // absent in older state files
        }
    }

    /** A good state with no rate change and no rollback. */
    public TrainerState(long updates, long samples, long evaluations, List<PartitionOffset> offsets,
            ReduceLROnPlateau.State lrControl, ValidationMetrics validation,
            dev.streamtrain.trainer.tricks.DynamicLossScaler.State lossScaler) {
        this(updates, samples, evaluations, offsets, lrControl, validation, lossScaler, true, 1.0, 0, List.of());
    }

    /** Where the training stands in its topics. */
    public dev.streamtrain.core.events.TrainingPosition position() {
        return new dev.streamtrain.core.events.TrainingPosition(offsets, handledAbove);
    }

    /** True unless the checkpoint was saved as not good. */
    public boolean isGood() {
        return good == null || good;
    }
}
