package dev.streamtrain.core.events;

import dev.streamtrain.core.batch.OffsetRange;
import java.util.List;

/**
 * A guard in the trainer refused to apply (or undid) an update: its minibatches were not trained and are
 * dead-lettered with {@code reason}. The monitor turns it into an alert of the same kind.
 *
 * @param job job name
 * @param update the number the refused update would have had (updates done + 1): a rollback for it goes to a good
 *     state saved before it
 * @param reason {@code non_finite_loss}, {@code non_finite_gradient} or {@code non_finite_parameters}
 * @param value the offending loss or gradient norm (NaN or infinite)
 * @param sources the Kafka records of the refused minibatches
 * @param timeMillis wall-clock time of the event
 */
public record UpdateRejected(String job, long update, String reason, double value, List<OffsetRange> sources,
        long timeMillis) implements StreamEvent {
    public UpdateRejected {
        sources = List.copyOf(sources);
    }

    @Override
    public String eventType() {
        return "update_rejected";
    }
}
