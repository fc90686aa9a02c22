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
 */
public record TrainerState(long updates, long samples, long evaluations, List<PartitionOffset> offsets,
        ReduceLROnPlateau.State lrControl, ValidationMetrics validation,
        dev.streamtrain.trainer.tricks.DynamicLossScaler.State lossScaler) {
    public TrainerState {
        offsets = List.copyOf(offsets);
    }
}
