package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.trainer.hooks.Hooks;
import dev.streamtrain.trainer.hooks.Verdict;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop, run by one dedicated thread (DJL allows one gradient collector per JVM): takes minibatches from
 * the queue, has the {@link Stepper} compute each update with the hooks (guards, flooding, clipping, weight average),
 * evaluates and checkpoints every {@code eval-every} updates, and in a bounded run finishes with a final evaluation
 * and checkpoint. Other threads act on it only through {@link #control}, served between minibatches, so the model is
 * never read or changed while it is being updated.
 *
 * <p>Nothing non-finite is applied: a minibatch with a NaN/Inf loss or gradient norm is not trained and is
 * dead-lettered with that reason (the monitor is told with an update-rejected event); NaN/Inf parameters after a step
 * are undone by rolling back to the last good state. Offsets of minibatches not trained are counted as handled only
 * once their dead-letter copy is acknowledged.
 */
public final class TrainingLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    private final JobConfig cfg;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final TrainerEvents events;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final RunState state = new RunState();
    private final OffsetLedger ledger;
    private final ModelParts parts;
    private final Stepper stepper;
    private final Hooks hooks;
    private final RateControl rate;
    private final Quarantine quarantine;
    private final Rollbacks rollbacks;
    private final Checkpoints checkpoints;
    private final Throughput throughput;
    private final TimeSplit time;
    private final ControlCommands controls;
    private final Refusals refusals;
    private volatile boolean running = true;
    private String stopReason;
    private boolean restoreBest;
    private final dev.streamtrain.core.events.TrainingPosition resumePosition;

    /**
     * Builds the model and optimizer (loads the PyTorch natives on first use: seconds; call off the event loop).
     *
     * @param nanoClock monotonic clock in nanoseconds (injected for tests)
     */
    public TrainingLoop(JobConfig cfg, BackPressureQueue<BatchQueueItem> queue, ValidationSet validationSet,
            TrainerEvents events, LongSupplier nanoClock) {
        this(cfg, queue, validationSet, new ValidationSet(1), events, nanoClock, false);
    }

    /**
     * As above, with the records ingest held out by key hash ({@code validation.sources: [holdout]}); {@code fp16OnCpu}
     * lets tests run the fp16 mixed-precision path on the CPU (PyTorch computes fp16 there, slowly), users are refused.
     */
    TrainingLoop(JobConfig cfg, BackPressureQueue<BatchQueueItem> queue, ValidationSet validationSet,
            ValidationSet holdout, TrainerEvents events, LongSupplier nanoClock, boolean fp16OnCpu) {
        this.cfg = cfg;
        this.queue = queue;
        this.events = events;
        this.throughput = new Throughput(nanoClock);
        this.time = new TimeSplit(nanoClock);
        long window = Rollbacks.window(cfg);
        this.ledger = new OffsetLedger(2 * window * cfg.tricks().accumulate() * cfg.ingest().batchSize());
        this.rate = new RateControl(cfg, state);
        this.parts = new ModelParts(cfg, rate.hyper(), fp16OnCpu);
        this.hooks = parts.hooks(cfg.tricks());
        this.stepper = new Stepper(cfg, parts, hooks);
        this.quarantine = new Quarantine(events, ledger, commands);
        try {
            var store = new StateStore(cfg.checkpoint(), cfg.model(), parts, cfg.earlyStopping());
            this.checkpoints = new Checkpoints(cfg, parts, state, rate, store, ledger, validationSet, holdout, hooks,
                    events, time, commands);
            this.rollbacks = new Rollbacks(cfg.job(), cfg.rollback(), window, state, store, stepper,
                    rate.controller(), ledger, quarantine, events, rate::current);
            this.resumePosition = checkpoints.resumeLatest();
            rollbacks.floor(state.updates); // the minibatches before the resumed state are not in memory
            this.refusals = new Refusals(cfg.job(), state, quarantine, checkpoints, events);
            this.controls = new ControlCommands(cfg, state, rate, checkpoints, parts, events, this::stopCommand,
                    this::rollbackCommand);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the checkpoints in " + cfg.checkpoint().dir(), e);
        }
    }

    /** The loop body; returns after {@link #stop()}. */
    public void run() {
        while (running) {
            serveCommands();
            if (state.paused || state.finished) {
                long parked = time.now();
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // paused: an interrupt ends the park
                time.paused(parked);
                continue;
            }
            try {
                MiniBatch replay = rollbacks.nextReplay();
                if (replay != null) {
                    train(replay);
                    continue;
                }
                BatchQueueItem item = time.poll(queue, throughput.running());
                if (item != null) {
                    handle(item);
                }
                if (hooks.runEnded() != null) {
                    finish("cancelled: " + hooks.runEnded().reason()); // a hook ended the run
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | IOException e) {
                LOG.error("training loop error at update {}; continuing", state.updates, e);
            }
        }
    }

    private void handle(BatchQueueItem item) throws IOException {
        if (item instanceof MiniBatch batch) {
            train(batch);
        } else if (item instanceof EndOfStream) {
            finish("end_of_stream");
        } else if (ledger.mark(item)) { // a dead-lettered or skipped record: handled, not trained
            checkpoints.handled();
        }
    }

    private void train(MiniBatch batch) throws IOException {
        throughput.started();
        MiniBatch unsettled = batch; // until it is pending, refused or trained, an error dead-letters it
        try {
            checkpoints.beforeTraining(batch);
            Verdict before = hooks.beforeBatch(batch);
            Verdict verdict = before.cancels() ? before : stepper.forwardBackward(batch);
            unsettled = null;
            throughput.rows(batch.rows());
            checkpoints.handled();
            if (verdict.cancels()) {
                refusals.refuse(List.of(batch), verdict);
            } else if (stepper.updateDue()) {
                applyUpdate();
            }
            hooks.afterBatch(batch);
        } catch (dev.streamtrain.core.schedule.InvalidRateException e) {
            failed(unsettled, e); // the minibatches of the update not made are dead-lettered, as for any error
            finish("invalid_learning_rate: " + e.getMessage()); // every later update would fail the same way
        } catch (RuntimeException e) {
            failed(unsettled, e);
        }
    }

    /** An engine error: untrained minibatches dead-lettered, an interrupted step undone by a rollback; go on. */
    private void failed(MiniBatch unsettled, RuntimeException e) throws IOException {
        LOG.error("training error at update {}: {}", state.updates + 1,
                dev.streamtrain.core.events.Failures.describe(e), e);
        boolean broken = stepper.stepInterrupted();
        refusals.failed(unsettled, stepper.dropPending());
        if (broken) {
            rollback("training_error", 0, true);
        }
    }

    /** Applies the accumulated update; the minibatches count as trained only once it is applied. */
    private void applyUpdate() throws IOException {
        Stepper.Update u = stepper.apply(state.updates + 1, rate.current(), rate.momentum());
        if (!u.applied()) {
            refusals.refuse(u.batches(), u.verdict());
            if (u.verdict().reason().equals("non_finite_parameters")
                    && rollback("non_finite_parameters", 0, true) instanceof CommandReply.Refused r) {
                stopReason = "non_finite_parameters and no good state to restore: " + r.reason();
                finish(stopReason); // undo the step that broke them, or end the run
            }
            return;
        }
        state.updates++;
        checkpoints.trained(u.batches());
        u.batches().forEach(b -> {
            ledger.record(b.sources());
            state.samples += b.rows();
        });
        rollbacks.applied(state.updates, u.batches());
        throughput.loss(u.meanLoss());
        long now = System.currentTimeMillis();
        long producedAt = MiniBatch.earliestProducedAt(u.batches());
        events.step(new StepMetrics(cfg.job(), state.updates, state.samples, u.meanLoss(), rate.hyper().lr(),
                rate.hyper().momentum(), u.gradNorm(), throughput.samplesPerSecond(), now,
                producedAt < 0 ? -1 : Math.max(0, now - producedAt)));
        if (checkpoints.due()) {
            checkpoints.evaluateAndSave();
        }
        if (cfg.training().maxUpdates() > 0 && state.updates >= cfg.training().maxUpdates()) {
            finish("max_updates");
        }
    }

    private void finish(String reason) throws IOException {
        serveCommands(); // alerts, stops and rollbacks that arrived before the end are served first
        if (state.finished) {
            return; // (a stop among them finished the run)
        }
        state.finished = true; // first: nothing below may finish again or act on the run (acks run commands)
        try {
            if (stepper.hasPending()) {
                applyUpdate(); // a partial accumulation still counts: every trained example is in the final model
            }
        } catch (RuntimeException e) {
            failed(null, e);
        }
        if (state.suspect) { // a critical alert nobody acted on: only a good state may be exported
            rollback("critical alert open at the end of the run", 0, false);
        }
        quarantine.awaitAcknowledgements(commands);
        stopReason = stopReason == null ? reason : stopReason;
        checkpoints.finish(stopReason, restoreBest, throughput::wallMillis, state.skipped);
    }

    /** Where ingest continues: the resumed checkpoint's position, or {@code NONE} for a new model. */
    public dev.streamtrain.core.events.TrainingPosition resumePosition() {
        return resumePosition;
    }

    /** Serves a command between minibatches, on the loop thread: accepted at update N, refused, or a prediction. */
    public CompletableFuture<CommandReply> control(TrainerCommand command) {
        return controls.submit(command, commands);
    }

    /** A metric from the external topic; served on the loop thread (it may drive the rate control). */
    public void externalMetric(dev.streamtrain.core.events.ExternalMetric metric) {
        commands.add(() -> checkpoints.observeExternal(metric));
    }

    /** A critical alert: checkpoints from its update on are not good (called through the command queue). */
    public void alertRaised(Alert alert) {
        if (alert.critical()) {
            commands.add(() -> checkpoints.suspect(alert));
        }
    }

    CommandReply stopCommand(TrainerCommand.Stop stop) throws IOException { // (refused after the end by the caller)
        restoreBest = stop.restoreBest();
        finish(stop.reason()); // the reason becomes the run's stop reason
        return new CommandReply.Accepted(state.updates, "stopped: " + stop.reason());
    }

    CommandReply rollbackCommand(TrainerCommand.Rollback r) throws IOException {
        return rollback(r.reason(), r.beforeUpdate(), false);
    }

    /** A rollback; the prequential window forgets the scores of the model state it discards. */
    private CommandReply rollback(String reason, long beforeUpdate, boolean brokenStep) throws IOException {
        checkpoints.awaitDurable(); // a checkpoint being written is announced before a rollback can undo it
        CommandReply reply = rollbacks.rollback(reason, beforeUpdate, throughput.recentLoss(), brokenStep);
        if (reply instanceof CommandReply.Accepted) {
            checkpoints.rolledBack();
        }
        return reply;
    }

    private void serveCommands() {
        for (Runnable command = commands.poll(); command != null; command = commands.poll()) {
            command.run();
        }
    }

    /** Asks the loop to return. */
    public void stop() {
        running = false;
    }

    /** Releases the model's native memory; call after {@link #run()} returned. */
    @Override
    public void close() {
        checkpoints.close();
        parts.close();
    }

    /** Adds a hook after the job's own (before {@link #run()}). */
    void addHook(dev.streamtrain.trainer.hooks.TrainingHook hook) {
        hooks.add(hook);
    }

    /** The current weights as an engine-neutral snapshot (call from the loop thread or after it stopped). */
    ModelSnapshot snapshot() {
        return parts.network.snapshot(state.updates);
    }
}
