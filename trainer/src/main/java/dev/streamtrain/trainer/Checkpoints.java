package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluation and checkpoints: evaluates the streamed validation sources, feeds the plateau control, saves a
 * checkpoint marked good only when its weights are finite and no critical alert is open, and finishes a run with the
 * final (or, under {@code restore_best}, the best) good checkpoint. The first minibatch of a new model saves the
 * initial state, so there is always a good state to roll back to.
 */
final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    private final JobConfig cfg;
    private final ModelParts parts;
    private final RunState state;
    private final RateControl rate;
    private final StateStore store;
    private final OffsetLedger ledger;
    private final Evaluations evaluations;
    private final TimeSplit time;
    private final TrainerEvents events;
    private final dev.streamtrain.trainer.hooks.Hooks hooks;
    private final CheckpointCadence cadence;
    /** Checkpoints being written; announced through the trainer's command queue once durable. */
    private final DurableCheckpoints durable;
    private final java.util.Queue<Runnable> commands;
    private Path last;
    private long handled;
    private long handledAtLast = -1;

    Checkpoints(JobConfig cfg, ModelParts parts, RunState state, RateControl rate, StateStore store,
            OffsetLedger ledger, ValidationSet topicRows, ValidationSet holdoutRows,
            dev.streamtrain.trainer.hooks.Hooks hooks, TrainerEvents events, TimeSplit time,
            java.util.Queue<Runnable> commands) {
        this.commands = commands;
        this.durable = new DurableCheckpoints(events, hooks);
        this.time = time;
        this.cadence = new CheckpointCadence(cfg, time::now);
        this.hooks = hooks;
        this.cfg = cfg;
        this.parts = parts;
        this.state = state;
        this.rate = rate;
        this.store = store;
        this.ledger = ledger;
        this.evaluations = new Evaluations(cfg, parts, state, rate, events, hooks, topicRows, holdoutRows);
        this.events = events;
    }

    /** One queue item (minibatch or marker) was handled since the last checkpoint. */
    void handled() {
        handled++;
    }

    /**
     * Before a minibatch is trained: the initial state of a new model is saved (a good state to roll back to), and
     * with prequential validation the minibatch is scored first (test, then train).
     */
    void beforeTraining(dev.streamtrain.core.batch.MiniBatch batch) throws IOException {
        if (last == null && state.updates == 0 && store.newestGood().isEmpty()) {
            save();
            awaitDurable(); // a new model's first state: a good state to roll back to from the start
        }
        evaluations.beforeTraining(batch);
    }

    /** Minibatches an applied update trained (their prequential scores join the window). */
    void trained(java.util.List<dev.streamtrain.core.batch.MiniBatch> batches) {
        evaluations.trained(batches);
    }

    /** Minibatches a guard refused: not scored either. */
    void notTrained(java.util.List<dev.streamtrain.core.batch.MiniBatch> batches) {
        evaluations.notTrained(batches);
    }

    /** After a rollback the prequential window starts over. */
    void rolledBack() {
        evaluations.rolledBack();
    }

    /**
     * Continues where the newest good checkpoint of {@code checkpoint.dir} left off: parameters restored in place,
     * optimizer state, weight average, counters, rate control and scale, the last validation metrics, and the ledger's
     * position; returns that position, where ingest continues ({@code NONE} for a new model).
     */
    dev.streamtrain.core.events.TrainingPosition resumeLatest() throws IOException {
        var latest = store.newestGood();
        if (latest.isEmpty()) {
            return dev.streamtrain.core.events.TrainingPosition.NONE;
        }
        String owner = dev.streamtrain.core.checkpoint.CheckpointManifest.read(latest.get().dir()).job();
        if (!cfg.job().equals(owner)) { // resuming another job's model would train it on this job's data, silently
            throw new IllegalStateException("checkpoint.dir " + cfg.checkpoint().dir() + " holds the checkpoints of job"
                    + " '" + owner + "', and this job is '" + cfg.job() + "': give this job a checkpoint.dir (or"
                    + " work-dir) of its own, or name it '" + owner + "' to continue that run");
        }
        TrainerState saved = store.restore(latest.get().dir());
        state.adopt(saved);
        state.lrScale = saved.lrScale();
        state.rollbacks = saved.rollbacks();
        rate.controller().restore(saved.lrControl());
        last = latest.get().dir();
        handledAtLast = handled;
        var position = saved.position();
        ledger.restore(position);
        ledger.provenance().restartFrom(latest.get().id());
        LOG.info("resumed from {} at update {} ({} samples{})", last, state.updates, state.samples,
                position.handledAbove().isEmpty() ? "" : "; " + position.handledAboveCount()
                        + " records above the commit offsets already handled are passed over");
        return position;
    }

    /**
     * Evaluates every configured source that has rows ({@link Evaluations}), then saves a checkpoint.
     */
    void evaluateAndSave() throws IOException {
        evaluate();
        save();
    }

    private void evaluate() {
        long started = time.now();
        evaluations.evaluateAll();
        time.evaluated(started);
    }

    /** A metric from the external topic: credited to its checkpoint, and maybe driving the rate. */
    void observeExternal(dev.streamtrain.core.events.ExternalMetric m) {
        // every external metric is credited to the checkpoint it was computed for (restore-best judges by it)
        store.attach(m.update() >= 0 ? m.update() : state.updates, m);
        evaluations.observeExternal(m);
    }

    boolean due() { // whether an evaluation and checkpoint are due after this update (CheckpointCadence)
        return cadence.due(state.updates);
    }

    /** Saves a checkpoint of the served weights; its offsets may be committed once it is durable. */
    private void save() throws IOException {
        long started = time.now();
        try {
            write();
        } finally {
            time.checkpointed(started);
        }
    }

    private void write() throws IOException {
        announce(); // the writes done so far; a failed one undone before the next manifest (Provenance.unsaved)
        ModelSnapshot training = parts.network.snapshot(state.updates);
        ModelSnapshot snapshot = parts.ema != null && cfg.tricks().emaForEval()
                ? parts.withServedWeights(true, () -> parts.network.snapshot(state.updates)) : training;
        if (!snapshot.isFinite()) {
            LOG.error("parameters are not finite at update {}: no checkpoint written", state.updates);
            return;
        }
        boolean good = !state.suspect;
        state.suspect = false; // one checkpoint interval passes; a new critical alert opens it again
        var position = ledger.position();
        var manifest = ledger.provenance().manifest(cfg.job(), state.updates, state.samples, good, position,
                state.lastValidation);
        var saving = store.save(snapshot, training, state.toState(position, rate.controller().snapshot(),
                parts.scaler == null ? null : parts.scaler.state(), good), manifest);
        ledger.provenance().restartFrom(manifest.id());
        cadence.saved();
        last = store.dirFor(state.updates);
        handledAtLast = handled;
        durable.add(saving, new CheckpointSaved(cfg.job(), state.updates, last.toString(), position.offsets()),
                () -> ledger.provenance().unsaved(manifest), commands, this::announce);
    }

    private boolean announce() { // the checkpoints made durable; after a failed write, the previous one is the last
        if (durable.announce()) {
            return true;
        }
        last = store.newestGood().map(StateStore.Saved::dir).orElse(null);
        handledAtLast = -1; // the run's end writes one again
        return false;
    }

    boolean awaitDurable() { // waits for the checkpoints handed over, announces them; false when one failed
        long started = time.now();
        store.awaitWrites();
        time.checkpointed(started);
        return announce();
    }

    void close() { // finishes the checkpoint being written and stops the checkpoint thread
        store.close();
    }

    void suspect(Alert alert) { // a critical alert: see StateStore.suspect
        store.suspect(alert, state);
    }

    /**
     * Ends the run: a last evaluation and checkpoint when something was handled since the last one, then
     * {@code training_finished} naming the checkpoint to export — the best good one under {@code restoreBest} (its
     * weights restored in place, so the trainer and the export agree), else the newest good one.
     */
    void finish(String reason, boolean restoreBest, java.util.function.LongSupplier wallMillis, long skipped)
            throws IOException {
        awaitDurable();
        try {
            if (handledAtLast != handled) {
                evaluateAndSave();
            } else if (last != null) {
                // nothing new since the last checkpoint (a bounded job restarted at its end, say): its offsets are
                // committed again (idempotent), which also tells the app the final commit is done
                LOG.info("nothing new to train since {} (update {})", last, state.updates);
                events.checkpointSaved(new CheckpointSaved(cfg.job(), state.updates, last.toString(),
                        ledger.nextOffsets()));
            }
        } catch (IOException | RuntimeException e) { // the run still ends, on the last checkpoint written
            LOG.error("the final evaluation or checkpoint failed ({}); the run ends on the last checkpoint written",
                    dev.streamtrain.core.events.Failures.describe(e), e);
        }
        awaitDurable(); // the export reads the final checkpoint; its offsets are committed before the end
        var chosen = restoreBest ? store.best().or(store::newestGood) : store.newestGood();
        ValidationMetrics validation = state.lastValidation;
        if (chosen.isPresent() && !chosen.get().dir().equals(last)) {
            StateStore.Saved s = chosen.get();
            store.restore(s.dir()); // a failure here surfaces as a parity failure of the export, not a hang
            validation = s.validation();
            LOG.info("final model: checkpoint {} (update {}){}", s.dir(), s.update(),
                    restoreBest ? ", the best by " + cfg.earlyStopping().monitor() : ", the newest good one");
        }
        String checkpoint = chosen.map(s -> s.dir().toString()).orElse(last == null ? "" : last.toString());
        events.finished(new TrainingFinished(cfg.job(), state.updates, state.samples, skipped, time.of(wallMillis.getAsLong()),
                validation, checkpoint, ledger.progress(), reason));
    }
}
