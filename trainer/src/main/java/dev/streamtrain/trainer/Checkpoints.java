package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.schedule.ReduceLROnPlateau;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluation and checkpoints: evaluates on the streamed validation set, feeds the plateau control, saves a
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
    private final ValidationSet validationSet;
    private final TrainerEvents events;
    private Path last;
    private long handled;
    private long handledAtLast = -1;

    Checkpoints(JobConfig cfg, ModelParts parts, RunState state, RateControl rate, StateStore store,
            OffsetLedger ledger, ValidationSet validationSet, TrainerEvents events) {
        this.cfg = cfg;
        this.parts = parts;
        this.state = state;
        this.rate = rate;
        this.store = store;
        this.ledger = ledger;
        this.validationSet = validationSet;
        this.events = events;
    }

    /** One queue item (minibatch or marker) was handled since the last checkpoint. */
    void handled() {
        handled++;
    }

    /** Saves the initial state before the first update of a new model. */
    void ensureInitial() throws IOException {
        if (last == null && state.updates == 0 && store.newestGood().isEmpty()) {
            save();
        }
    }

    /**
     * Continues where the newest good checkpoint of {@code checkpoint.dir} left off: parameters restored in place,
     * optimizer state, weight average, counters, rate control and scale, the last validation metrics.
     *
     * @return the Kafka offsets ingest continues from (empty for a new model)
     */
    java.util.List<dev.streamtrain.core.events.PartitionOffset> resumeLatest() throws IOException {
        var latest = store.newestGood();
        if (latest.isEmpty()) {
            return java.util.List.of();
        }
        TrainerState saved = store.restore(latest.get().dir());
        state.adopt(saved);
        state.lrScale = saved.lrScale();
        state.rollbacks = saved.rollbacks();
        rate.controller().restore(saved.lrControl());
        last = latest.get().dir();
        handledAtLast = handled;
        LOG.info("resumed from {} at update {} ({} samples)", last, state.updates, state.samples);
        return saved.offsets();
    }

    /** Evaluates on the validation set (when it has rows), then saves a checkpoint. */
    void evaluateAndSave() throws IOException {
        var rows = validationSet.snapshot();
        if (!rows.isEmpty()) {
            Evaluator.Result r = parts.withServedWeights(cfg.tricks().emaForEval(), () -> parts.evaluator.evaluate(rows));
            state.lastValidation = new ValidationMetrics(cfg.job(), state.updates, state.samples, r.rows(),
                    r.meanLoss(), r.accuracy(), System.currentTimeMillis());
            events.validation(state.lastValidation);
            state.evaluations++;
            long step = rate.step();
            rate.controller().observe(r.meanLoss(), step).ifPresent(d -> {
                String reason = d.action() == ReduceLROnPlateau.Action.RESTARTED ? "plateau_restart" : "plateau_reduce";
                LOG.info("validation loss {} plateaued at update {}: {} lr {} -> {}", r.meanLoss(), state.updates,
                        reason, d.oldLr(), d.newLr());
                events.lrChanged(new LrChanged(cfg.job(), state.updates, step, d.oldLr(), d.newLr(), reason,
                        r.meanLoss(), System.currentTimeMillis()));
            });
        }
        save();
    }

    /** Saves a checkpoint of the served weights; its offsets may be committed once it is durable. */
    private void save() throws IOException {
        ModelSnapshot snapshot = parts.withServedWeights(cfg.tricks().emaForEval(),
                () -> parts.network.snapshot(state.updates));
        if (!snapshot.isFinite()) {
            LOG.error("parameters are not finite at update {}: no checkpoint written", state.updates);
            return;
        }
        boolean good = !state.suspect;
        if (state.suspect) {
            state.suspect = false; // one checkpoint interval passes; a new critical alert opens it again
        }
        var offsets = ledger.nextOffsets();
        last = store.save(snapshot, state.toState(offsets, rate.controller().snapshot(),
                parts.scaler == null ? null : parts.scaler.state(), good)).dir();
        handledAtLast = handled;
        events.checkpointSaved(new CheckpointSaved(cfg.job(), state.updates, last.toString(), offsets));
    }

    /** A critical alert: checkpoints that include its update are not good, nor the next one. */
    void suspect(Alert alert) {
        state.suspect = true;
        try {
            store.markSuspectFrom(alert.update(), alert.kind() + " at update " + alert.update());
        } catch (IOException e) {
            LOG.error("could not mark checkpoints after update {} as suspect: {}", alert.update(), e.getMessage());
        }
    }

    /**
     * Ends the run: a last evaluation and checkpoint when something was handled since the last one, then
     * {@code training_finished} naming the checkpoint to export — the best good one under {@code restoreBest} (its
     * weights restored in place, so the trainer and the export agree), else the newest good one.
     */
    void finish(String reason, boolean restoreBest, long wallMillis, long skipped) throws IOException {
        if (handledAtLast != handled) {
            evaluateAndSave();
        }
        var chosen = restoreBest ? store.best().or(store::newestGood) : store.newestGood();
        ValidationMetrics validation = state.lastValidation;
        if (chosen.isPresent() && !chosen.get().dir().equals(last)) {
            StateStore.Saved s = chosen.get();
            store.restore(s.dir());
            validation = s.validation();
            LOG.info("final model: checkpoint {} (update {}){}", s.dir(), s.update(),
                    restoreBest ? ", the best by " + cfg.earlyStopping().monitor() : ", the newest good one");
        }
        String checkpoint = chosen.map(s -> s.dir().toString()).orElse(last == null ? "" : last.toString());
        events.finished(new TrainingFinished(cfg.job(), state.updates, state.samples, skipped, wallMillis, validation,
                checkpoint, ledger.progress(), reason));
    }
}
