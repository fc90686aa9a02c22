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
    private final ValidationSet topicRows;
    private final ValidationSet holdoutRows;
    private final PrequentialWindow prequential;
    /** Scores of minibatches not yet applied or refused (identity: the same minibatch object). */
    private final java.util.Map<dev.streamtrain.core.batch.MiniBatch, Evaluator.Scored> unsettled =
            new java.util.IdentityHashMap<>();
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
            dev.streamtrain.trainer.hooks.Hooks hooks, TrainerEvents events, java.util.function.LongSupplier nanoClock,
            java.util.Queue<Runnable> commands) {
        this.commands = commands;
        this.durable = new DurableCheckpoints(events, hooks);
        this.cadence = new CheckpointCadence(cfg, nanoClock);
        this.hooks = hooks;
        this.cfg = cfg;
        this.parts = parts;
        this.state = state;
        this.rate = rate;
        this.store = store;
        this.ledger = ledger;
        this.topicRows = topicRows;
        this.holdoutRows = holdoutRows;
        this.prequential = cfg.validation().uses("prequential")
                ? new PrequentialWindow(cfg.validation().prequentialWindowRows()) : null;
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
        if (prequential != null) {
            unsettled.put(batch, parts.evaluator.score(batch));
        }
    }

    /** Minibatches an applied update trained: their scores (taken before training) join the prequential window. */
    void trained(java.util.List<dev.streamtrain.core.batch.MiniBatch> batches) {
        batches.forEach(b -> {
            Evaluator.Scored s = unsettled.remove(b);
            if (s != null) {
                prequential.add(s);
            }
        });
    }

    /** Minibatches a guard refused: not data the model learns from, so not scored either. */
    void notTrained(java.util.List<dev.streamtrain.core.batch.MiniBatch> batches) {
        batches.forEach(unsettled::remove);
    }

    /** After a rollback the scores describe a discarded model state: the prequential window starts over. */
    void rolledBack() {
        unsettled.clear();
        if (prequential != null) {
            prequential.clear();
        }
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
     * Evaluates every configured source that has rows (the validation topic, held-out records, the prequential
     * window) and publishes each; the driving source's counted evaluation feeds plateau control and becomes the
     * checkpoint's validation metrics. Then saves a checkpoint.
     */
    void evaluateAndSave() throws IOException {
        var v = cfg.validation();
        for (String source : v.sources()) {
            Evaluator.Result r;
            try {
                r = switch (source) {
                    case "topic" -> evaluate(topicRows.snapshot());
                    case "holdout" -> evaluate(holdoutRows.snapshot());
                    case "prequential" -> prequential == null ? null : summarize(prequential.snapshot());
                    default -> null; // external metrics arrive on their own (observeExternal)
                };
            } catch (RuntimeException e) { // an evaluation never fails the run: the checkpoint is still written
                LOG.warn("evaluation of the {} rows failed at update {}: {}", source, state.updates,
                        dev.streamtrain.core.events.Failures.describe(e));
                continue;
            }
            if (r == null || r.rows() == 0) {
                continue;
            }
            boolean counted = r.rows() >= v.minRows();
            var metrics = new ValidationMetrics(cfg.job(), state.updates, state.samples, r.rows(), r.meanLoss(),
                    r.accuracy(), System.currentTimeMillis(), source, r.metrics(), counted);
            events.validation(metrics);
            hooks.afterValidate(metrics);
            if (source.equals(v.drive())) {
                drive(metrics, r.meanLoss());
            }
        }
        save();
    }

    private Evaluator.Result summarize(java.util.List<Evaluator.Scored> scored) {
        return scored.isEmpty() ? null : parts.evaluator.summarize(scored);
    }

    private Evaluator.Result evaluate(java.util.List<dev.streamtrain.core.batch.MiniBatch> rows) {
        return rows.isEmpty() ? null
                : parts.withServedWeights(cfg.tricks().emaForEval(), () -> parts.evaluator.evaluate(rows));
    }

    /**
     * A metric from the external topic: with {@code validation.drive: external} and the configured metric, it feeds
     * plateau control and becomes the validation metrics the next checkpoint holds.
     */
    void observeExternal(dev.streamtrain.core.events.ExternalMetric m) {
        var v = cfg.validation();
        // every external metric is credited to the checkpoint it was computed for (restore-best judges by it)
        store.attach(m.update() >= 0 ? m.update() : state.updates, m);
        if (!v.drive().equals("external") || !m.name().equals(v.externalMetric())) {
            return;
        }
        boolean counted = m.rows() < 0 || m.rows() >= v.minRows();
        drive(ValidationMetrics.external(m, state.updates, state.samples, counted), m.value());
    }

    /** The driving source's evaluation: kept for checkpoints; when counted, observed by the plateau control. */
    private void drive(ValidationMetrics metrics, double metric) {
        state.lastValidation = metrics;
        if (!metrics.counted()) {
            return;
        }
        state.evaluations++;
        long step = rate.step();
        rate.controller().observe(metric, step).ifPresent(d -> {
            String reason = d.action() == ReduceLROnPlateau.Action.RESTARTED ? "plateau_restart" : "plateau_reduce";
            LOG.info("{} {} plateaued at update {}: {} lr {} -> {}", metrics.source(), metric, state.updates, reason,
                    d.oldLr(), d.newLr());
            events.lrChanged(new LrChanged(cfg.job(), state.updates, step, d.oldLr(), d.newLr(), reason, metric,
                    System.currentTimeMillis()));
        });
    }

    boolean due() { // whether an evaluation and checkpoint are due after this update (CheckpointCadence)
        return cadence.due(state.updates);
    }

    /** Saves a checkpoint of the served weights; its offsets may be committed once it is durable. */
    private void save() throws IOException {
        awaitDurable(); // one copy of the state at a time; a failed write undone before the next manifest
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

    boolean awaitDurable() { // waits for the checkpoint being written, announces it; false when it failed
        store.awaitWrites();
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
    void finish(String reason, boolean restoreBest, long wallMillis, long skipped) throws IOException {
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
        events.finished(new TrainingFinished(cfg.job(), state.updates, state.samples, skipped, wallMillis, validation,
                checkpoint, ledger.progress(), reason));
    }
}
