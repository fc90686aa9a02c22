package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.events.UpdateRejected;
import dev.streamtrain.trainer.hooks.Verdict;
import java.util.List;

/**
 * What happens to minibatches a guard refused: counted, dead-lettered with the guard's reason (their offsets are
 * handled once the copy is acknowledged), dropped from the prequential window, and reported to the monitor with an
 * {@link UpdateRejected} naming the refused update (no step metrics: nothing was trained, so a train_loss watched by
 * early stopping is not judged on it). An fp16 overflow (the loss
 * scaler's expected skip) is dead-lettered without a report.
 */
final class Refusals {
    private final String job;
    private final RunState state;
    private final Quarantine quarantine;
    private final Checkpoints checkpoints;
    private final TrainerEvents events;

    Refusals(String job, RunState state, Quarantine quarantine, Checkpoints checkpoints, TrainerEvents events) {
        this.job = job;
        this.state = state;
        this.quarantine = quarantine;
        this.checkpoints = checkpoints;
        this.events = events;
    }

    /** After an engine error: the failed minibatch and those accumulated with it, dead-lettered as training_error. */
    void failed(MiniBatch batch, List<MiniBatch> pending) {
        var lost = new java.util.ArrayList<>(pending);
        if (batch != null && lost.stream().noneMatch(b -> b == batch)) {
            lost.add(batch);
        }
        if (!lost.isEmpty()) {
            refuse(lost, Verdict.cancelBatch("training_error", Double.NaN));
        }
    }

    void refuse(List<MiniBatch> batches, Verdict verdict) {
        state.skipped++;
        String reason = verdict.reason();
        long refused = state.updates + 1; // the update these minibatches would have made
        quarantine.send(batches, reason, reason.replace('_', ' ') + " (" + verdict.value() + ") at update " + refused
                + ": not trained");
        checkpoints.notTrained(batches);
        if (reason.equals("fp16_overflow")) {
            return;
        }
        events.updateRejected(new UpdateRejected(job, refused, reason, verdict.value(),
                batches.stream().flatMap(b -> b.sources().stream()).toList(), System.currentTimeMillis()));
    }
}
