package dev.streamtrain.core.events;

import dev.streamtrain.core.batch.OffsetRange;
import java.util.List;

/**
 * The trainer restored an earlier good state in place and went on.
 *
 * @param job job name
 * @param fromUpdate updates done before the rollback
 * @param toUpdate updates of the restored state
 * @param checkpoint the checkpoint restored
 * @param reason what asked for it (an alert kind, or an operator's reason)
 * @param lrBefore the rate in force before
 * @param lrAfter the rate from now on (lowered by {@code rollback.lr-factor})
 * @param lossBefore mean training loss of the last minibatches before the rollback (NaN when not finite)
 * @param lossAfter validation loss of the restored state (NaN when it had none)
 * @param quarantined the Kafka records of the minibatches applied since the restored state
 * @param replay true when those minibatches are retrained once at the lower rate instead of dead-lettered
 * @param timeMillis wall-clock time of the event
 */
public record RolledBack(String job, long fromUpdate, long toUpdate, String checkpoint, String reason,
        double lrBefore, double lrAfter, double lossBefore, double lossAfter, List<OffsetRange> quarantined,
        boolean replay, long timeMillis) implements StreamEvent {
    public RolledBack {
        quarantined = List.copyOf(quarantined);
    }

    @Override
    public String eventType() {
        return "rolled_back";
    }
}
