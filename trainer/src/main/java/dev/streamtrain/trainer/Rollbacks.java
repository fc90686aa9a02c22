package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.RollbackSettings;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.schedule.LrController;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollback to the last good state, in place, while the stream goes on: restores a good checkpoint saved before the
 * trouble (parameters, optimizer, rate control, weight average, loss scaler, counters), multiplies the rate by
 * {@code rollback.lr-factor}, and quarantines the minibatches applied since that state — dead-lettered with reason
 * {@code rollback}, or with {@code rollback.replay} retrained once at the lower rate. The stream position does not
 * move back: Kafka offsets only go forward, and every record is trained (in the weights now held) or dead-lettered.
 * Keeps the minibatches applied since the oldest kept checkpoint (about {@code checkpoint.keep x eval-every}
 * minibatches) for that.
 */
final class Rollbacks {
    private static final Logger LOG = LoggerFactory.getLogger(Rollbacks.class);

    private record Applied(long update, List<MiniBatch> batches) {
    }

    private final String job;
    private final RollbackSettings settings;
    private final RunState state;
    private final StateStore store;
    private final Stepper stepper;
    private final LrController lr;
    private final OffsetLedger ledger;
    private final Quarantine quarantine;
    private final TrainerEvents events;
    private final DoubleSupplier currentRate;
    private final Deque<Applied> applied = new ArrayDeque<>();
    private final Deque<MiniBatch> replay = new ArrayDeque<>();
    private final Set<MiniBatch> replayedOnce = Collections.newSetFromMap(new IdentityHashMap<>());
    private long floor;
    private final long window;

    /** @param window most updates kept in memory for rollbacks (the ledger keeps their records un-trainable) */
    Rollbacks(String job, RollbackSettings settings, long window, RunState state, StateStore store, Stepper stepper,
            LrController lr, OffsetLedger ledger, Quarantine quarantine, TrainerEvents events,
            DoubleSupplier currentRate) {
        this.window = window;
        this.job = job;
        this.settings = settings;
        this.state = state;
        this.store = store;
        this.stepper = stepper;
        this.lr = lr;
        this.ledger = ledger;
        this.quarantine = quarantine;
        this.events = events;
        this.currentRate = currentRate;
    }

    /**
     * The state this run started from (resumed, or 0): the minibatches applied before it are not in memory, so no
     * rollback may go further back.
     */
    void floor(long update) {
        this.floor = update;
    }

    /**
     * Notes an applied update's minibatches, forgetting those older than every kept checkpoint or than
     * {@code window} updates (a protected best checkpoint may be old): no rollback goes back past what is forgotten.
     */
    void applied(long update, List<MiniBatch> batches) {
        applied.add(new Applied(update, batches));
        long oldest = store.oldestUpdate();
        while (!applied.isEmpty() && (applied.peekFirst().update() <= oldest
                || update - applied.peekFirst().update() >= window)) {
            Applied gone = applied.pollFirst();
            gone.batches().forEach(replayedOnce::remove);
            floor = Math.max(floor, gone.update());
        }
    }

    /**
     * Updates a rollback may undo: {@code (checkpoint.keep + 1) x eval-every}. The offset ledger keeps twice their
     * records un-trainable (records between them that were not trained take offsets too).
     */
    static long window(dev.streamtrain.core.config.JobConfig cfg) {
        return (cfg.checkpoint().keep() + 1L) * cfg.training().evalEvery();
    }

    /** The next minibatch to retrain after a rollback with replay, or null. */
    MiniBatch nextReplay() {
        return replay.poll();
    }

    /**
     * Rolls back to the newest good checkpoint with fewer than {@code beforeUpdate} updates (any, when 0 or less).
     *
     * @param lossBefore the recent training loss, for the event
     * @param brokenStep the parameters were broken by a step not counted in the state: restore even when the newest
     *     good checkpoint is the current update (otherwise such a rollback would undo nothing and is refused)
     * @return accepted with what was done, or refused with why
     */
    CommandReply rollback(String reason, long beforeUpdate, double lossBefore, boolean brokenStep)
            throws IOException {
        long from = state.updates;
        if (beforeUpdate > from + 1) {
            return new CommandReply.Refused(from, "update " + beforeUpdate + " is no longer in the model's history"
                    + " (an earlier rollback undid it)");
        }
        Optional<StateStore.Saved> target = beforeUpdate > 0 ? store.goodBefore(beforeUpdate) : store.newestGood();
        if (target.isEmpty() || target.get().update() < floor) {
            return new CommandReply.Refused(from, "no good checkpoint saved before update " + beforeUpdate
                    + (floor > 0 ? " at or after update " + floor + " (older minibatches are not kept)" : ""));
        }
        StateStore.Saved to = target.get();
        boolean nothingToUndo = to.update() == from && !stepper.hasPending()
                && (applied.isEmpty() || applied.peekLast().update() <= to.update());
        if (nothingToUndo && !brokenStep) {
            return new CommandReply.Refused(from, "the model is already at the good state saved at update " + from);
        }
        double lrBefore = currentRate.getAsDouble();
        TrainerState restored = store.restore(to.dir());
        state.adopt(restored);
        lr.restore(restored.lrControl());
        state.lrScale *= settings.lrFactor();
        state.rollbacks++;
        state.suspect = false;
        List<MiniBatch> undone = new ArrayList<>();
        while (!applied.isEmpty() && applied.peekLast().update() > to.update()) {
            undone.addAll(0, applied.pollLast().batches());
        }
        undone.addAll(stepper.dropPending());
        undone.forEach(b -> ledger.untrain(b.sources()));
        ledger.provenance().rolledBackTo(to.id(), store.notTrainedAfter(to.id(), ledger.provenance().parent()));
        store.forgetAfter(to.update());
        boolean replaying = settings.replay() && !state.finished; // at the end there is no training to replay in
        List<MiniBatch> toDeadLetter = new ArrayList<>();
        for (MiniBatch b : undone) {
            if (replaying && replayedOnce.add(b)) {
                replay.add(b);
            } else {
                toDeadLetter.add(b);
            }
        }
        List<OffsetRange> offsets = undone.stream().flatMap(b -> b.sources().stream()).toList();
        quarantine.send(toDeadLetter, "rollback", "undone by a rollback to update " + to.update() + " (" + reason
                + ")");
        double lrAfter = currentRate.getAsDouble();
        double lossAfter = to.validation() == null ? Double.NaN : to.validation().loss();
        events.rolledBack(new RolledBack(job, from, to.update(), to.dir().toString(), reason, lrBefore, lrAfter,
                lossBefore, lossAfter, offsets, replaying, System.currentTimeMillis()));
        String detail = "rolled back from update " + from + " to " + to.update() + " (" + reason + "), lr "
                + String.format("%.4g -> %.4g", lrBefore, lrAfter) + ", " + undone.size() + " minibatches "
                + (replaying ? "replayed once" : "quarantined to the dead-letter topic") + " ("
                + dev.streamtrain.core.batch.OffsetRanges.describe(offsets) + ")";
        LOG.debug("rollback: {}", detail); // the rolled_back event is logged by the monitor
        return new CommandReply.Accepted(to.update(), detail);
    }
}
