package dev.streamtrain.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.DeadLettered;
import dev.streamtrain.core.batch.PartitionStarted;
import dev.streamtrain.core.batch.Skipped;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.PredictReply;
import dev.streamtrain.core.events.PredictRequest;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.schedule.LrController;
import dev.streamtrain.core.schedule.ReduceLROnPlateau;
import dev.streamtrain.trainer.optim.StepHyperParameters;
import dev.streamtrain.trainer.optim.Optimizers;
import dev.streamtrain.trainer.optim.TorchOptimizer;
import dev.streamtrain.trainer.tricks.Devices;
import dev.streamtrain.trainer.tricks.GradientClipping;
import dev.streamtrain.trainer.tricks.Mixup;
import dev.streamtrain.trainer.loss.Losses;
import dev.streamtrain.trainer.tricks.DynamicLossScaler;
import dev.streamtrain.trainer.tricks.WeightEma;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop, run by one dedicated thread (DJL allows one gradient collector per JVM): takes minibatches from
 * the queue, updates the model, evaluates and checkpoints every {@code eval-every} updates, and in a bounded run
 * finishes with a final evaluation and checkpoint. Other threads talk to it only through {@link #predict} and
 * {@link #stop}, which it serves between minibatches, so the model is never read while it is being updated.
 *
 * <p>A minibatch whose loss is not finite is not applied (no backward, no step) and is counted as skipped: the
 * model never takes a NaN step. The monitor sees the loss in the step metrics and raises the alert.
 */
public final class TrainingLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);
    private static final double THROUGHPUT_SMOOTHING = 0.1;

    private final JobConfig cfg;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final ValidationSet validationSet;
    private final TrainerEvents events;
    private final LongSupplier nanoClock;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final MlpNetwork network;
    private final Model model;
    private final Trainer trainer;
    private final Loss loss;
    private final Evaluator evaluator;
    private final LrController lr;
    private final StepHyperParameters hyper;
    private final TorchOptimizer optimizer;
    private final OffsetLedger ledger = new OffsetLedger();
    private final CheckpointWriter checkpoints;
    private volatile boolean running = true;
    private volatile boolean finished;
    private long updates;
    private long samples;
    private long skipped;
    private long evaluations;
    private int pendingBatches;
    private int pendingRows;
    private double pendingLoss;
    private final WeightEma ema;
    private final Fp16Compute fp16;
    private final DynamicLossScaler scaler;
    private final java.util.Map<String, String> idsByName;
    private final Mixup mixup;
    private long startNanos = -1;
    private long lastStepNanos = -1;
    private double samplesPerSecond;
    private ValidationMetrics lastValidation;
    private Path lastCheckpoint;
    private long lastCheckpointHandled = -1;
    private long handled;
    private java.util.List<dev.streamtrain.core.events.PartitionOffset> resumeOffsets = java.util.List.of();

    /**
     * Builds the model and optimizer (loads the PyTorch natives on first use: seconds; call off the event loop).
     *
     * @param nanoClock monotonic clock in nanoseconds (injected for tests)
     */
    public TrainingLoop(JobConfig cfg, BackPressureQueue<BatchQueueItem> queue, ValidationSet validationSet,
            TrainerEvents events, LongSupplier nanoClock) {
        this(cfg, queue, validationSet, events, nanoClock, false);
    }

    /**
     * As above; {@code fp16OnCpu} lets tests run the fp16 mixed-precision path on the CPU (PyTorch computes fp16 there,
     * slowly), which users are refused.
     */
    TrainingLoop(JobConfig cfg, BackPressureQueue<BatchQueueItem> queue, ValidationSet validationSet,
            TrainerEvents events, LongSupplier nanoClock, boolean fp16OnCpu) {
        this.cfg = cfg;
        this.queue = queue;
        this.validationSet = validationSet;
        this.events = events;
        this.nanoClock = nanoClock;
        Engine.getInstance().setRandomSeed((int) cfg.training().seed());
        this.lr = new LrController(cfg.schedule());
        var o = cfg.optimizer();
        this.hyper = new StepHyperParameters(lr.lr(0), momentumAt(0));
        var tricks = cfg.tricks();
        Device device = Devices.select(tricks.device());
        boolean mixed = tricks.precision().equals("fp16");
        if (mixed && !device.isGpu() && !fp16OnCpu) {
            throw new IllegalStateException("tricks.precision fp16 needs a CUDA GPU: mixed precision is not available on"
                    + " the CPU (this run trains on " + device + "); use precision: fp32");
        }
        this.loss = Losses.create(cfg.training().loss(), tricks.labelSmoothing(), cfg.training().huberDelta());
        this.ema = tricks.emaDecay() > 0 ? new WeightEma(tricks.emaDecay()) : null;
        this.network = new MlpNetwork(cfg.model());
        this.model = network.newModel(cfg.job());
        java.util.Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();
        this.optimizer = Optimizers.create(o, hyper, names::get);
        if (tricks.noBiasDecay()) {
            optimizer.decayOnly(name -> name.startsWith("layers.") && name.endsWith(".weight"));
        }
        optimizer.scaleLearningRates(tricks::lrMultiplier);
        if (tricks.weightDecayMode().equals("decoupled") && !o.name().equals("AdamW")) {
            optimizer.decoupleWeightDecay(o.weightDecay());
        }
        this.mixup = tricks.mixupAlpha() > 0 ? new Mixup(tricks.mixupAlpha(), cfg.training().seed()) : null;
        this.trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer)
                .optDevices(new Device[] {device}));
        trainer.initialize(new Shape(1, cfg.model().inputs()));
        if (tricks.zeroInitResidual()) {
            NoGrad.run(network::zeroInitResidualBranches);
        }
        names.putAll(network.namesById());
        this.idsByName = network.idsByName();
        this.fp16 = mixed ? new Fp16Compute(cfg.model(), trainer.getManager(), device) : null;
        this.scaler = mixed ? new DynamicLossScaler(tricks.gradScaler()) : null;
        this.evaluator = new Evaluator(trainer, loss, cfg.training().loss(), cfg.model().head(), cfg.model().classes());
        this.checkpoints = new CheckpointWriter(cfg.checkpoint().dir(), cfg.checkpoint().keep());
        try {
            resumeFromLatestCheckpoint();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the checkpoints in " + cfg.checkpoint().dir(), e);
        }
    }

    /** The loop body; returns after {@link #stop()}. */
    public void run() {
        while (running) {
            Runnable command;
            while ((command = commands.poll()) != null) {
                command.run();
            }
            BatchQueueItem item;
            try {
                item = queue.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (item == null || finished) {
                continue;
            }
            try {
                if (item instanceof MiniBatch batch) {
                    train(batch);
                } else if (item instanceof DeadLettered rejected) {
                    ledger.notTrained(rejected.source(), OffsetLedger.Handling.DEAD_LETTERED);
                    handled++;
                } else if (item instanceof PartitionStarted start) {
                    ledger.started(start.topic(), start.partition(), start.offset());
                } else if (item instanceof Skipped notData) {
                    ledger.notTrained(notData.source(), OffsetLedger.Handling.SKIPPED);
                    handled++;
                } else if (item instanceof EndOfStream) {
                    finish();
                }
            } catch (RuntimeException | IOException e) {
                LOG.error("training loop error at update {}; continuing", updates, e);
            }
        }
    }

    private void train(MiniBatch batch) throws IOException {
        long now = nanoClock.getAsLong();
        if (startNanos < 0) {
            startNanos = now;
            lastStepNanos = now;
        }
        float lossValue = forwardBackward(batch);
        samples += batch.rows();
        handled++;
        ledger.record(batch.sources());
        long after = nanoClock.getAsLong();
        double instant = batch.rows() / Math.max(1e-9, (after - lastStepNanos) / 1e9);
        samplesPerSecond = samplesPerSecond == 0 ? instant
                : (1 - THROUGHPUT_SMOOTHING) * samplesPerSecond + THROUGHPUT_SMOOTHING * instant;
        lastStepNanos = after;
        if (!Float.isFinite(lossValue)) {
            skipped++;
            long step = scheduleStep(); // the rate and momentum in force for the next update
            events.step(new StepMetrics(cfg.job(), updates, samples, lossValue, lr.lr(step), momentumAt(step),
                    Double.NaN, samplesPerSecond, System.currentTimeMillis()));
            return;
        }
        pendingBatches++;
        pendingRows += batch.rows();
        pendingLoss += lossValue;
        if (pendingBatches < cfg.tricks().accumulate()) {
            return;
        }
        Update update = applyUpdate();
        if (update == null) {
            skipped++; // fp16 gradient overflow: no step, a smaller loss scale
            return;
        }
        if (updates % cfg.training().logEvery() == 0) {
            events.step(new StepMetrics(cfg.job(), updates, samples, update.meanLoss(), hyper.lr(), hyper.momentum(),
                    update.gradNorm(), samplesPerSecond, System.currentTimeMillis()));
        }
        if (updates % cfg.training().evalEvery() == 0) {
            evaluateAndCheckpoint();
        }
        if (cfg.training().maxUpdates() > 0 && updates >= cfg.training().maxUpdates()) {
            finish();
        }
    }

    /**
     * Forward and backward on one minibatch; gradients accumulate until {@link #applyUpdate}. A non-finite loss is
     * not back-propagated: the model never takes a NaN step.
     *
     * @return the minibatch's mean loss (before flooding and accumulation scaling)
     */
    private float forwardBackward(MiniBatch batch) {
        var tricks = cfg.tricks();
        try (NDManager m = trainer.getManager().newSubManager()) {
            Mixup.Mixed mixed = mixup == null ? null : mixup.mix(batch.x(), batch.rows(), batch.features());
            NDArray x = m.create(mixed == null ? batch.x() : mixed.x(), new Shape(batch.rows(), batch.features()));
            String lossName = cfg.training().loss();
            NDArray y = Losses.labels(m, batch, null, lossName, cfg.model().classes());
            if (fp16 != null && pendingBatches == 0) {
                fp16.loadMasters(network.arraysByName()); // the masters moved at the last update
            }
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = fp16 != null ? fp16.forward(x) : trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray l = loss.evaluate(new NDList(y), new NDList(logits));
                if (mixed != null) {
                    NDArray partner = Losses.labels(m, batch, mixed.permutation(), lossName, cfg.model().classes());
                    NDArray l2 = loss.evaluate(new NDList(partner), new NDList(logits));
                    l = l.mul((float) mixed.lambda()).add(l2.mul((float) (1 - mixed.lambda())));
                }
                float value = l.getFloat();
                if (Float.isFinite(value)) {
                    float b = (float) tricks.flooding();
                    NDArray objective = b > 0 ? l.sub(b).abs().add(b) : l;
                    if (tricks.accumulate() > 1) {
                        objective = objective.div(tricks.accumulate());
                    }
                    if (scaler != null) {
                        objective = objective.mul((float) scaler.scale());
                    }
                    collector.backward(objective);
                }
                if (fp16 != null) {
                    fp16.storeRunningStatistics(network.arraysByName());
                }
                return value;
            }
        }
    }

    /**
     * What one optimizer update consumed.
     *
     * @param meanLoss mean loss of the minibatches accumulated into it
     * @param gradNorm global gradient norm before clipping, or NaN when clipping is off
     */
    private record Update(double meanLoss, double gradNorm) {
    }

    /**
     * One optimizer update from the accumulated gradients: clipping, the schedule's rate (linearly scaled to the
     * effective batch when configured) and momentum, the step, the weight average. Consumes the accumulation.
     */
    private Update applyUpdate() {
        if (fp16 == null) {
            return applyUpdate(null);
        }
        try (NDManager m = trainer.getManager().newSubManager()) {
            java.util.Map<String, NDArray> grads = fp16.takeUnscaledGradients(scaler.scale(), m);
            if (!scaler.update(Fp16Compute.allFinite(grads.values()))) {
                var s = scaler.state();
                if (s.skippedSteps() <= 10 || Long.bitCount(s.skippedSteps()) == 1) {
                    LOG.info("fp16 gradients overflowed at update {}: step skipped, loss scale now {} ({} skipped)",
                            updates + 1, s.scale(), s.skippedSteps());
                }
                clearAccumulation(); // the overflowed gradients are dropped with the step
                return null;
            }
            return applyUpdate(grads);
        }
    }

    /**
     * The update itself, from the masters' own gradients ({@code fp32Grads} null) or from the unscaled fp16
     * gradients by name (mixed precision: the optimizer steps the fp32 masters with them).
     */
    private Update applyUpdate(java.util.Map<String, NDArray> fp32Grads) {
        var tricks = cfg.tricks();
        double gradNorm = Double.NaN;
        if (tricks.clipGradNorm() > 0 || tricks.clipGradValue() > 0) {
            try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                java.util.List<NDArray> grads = fp32Grads != null ? java.util.List.copyOf(fp32Grads.values())
                        : network.trainableArraysByName().values().stream().map(NDArray::getGradient).toList();
                if (tricks.clipGradNorm() > 0) {
                    gradNorm = GradientClipping.clipByNorm(grads, tricks.clipGradNorm(), tricks.clipNormType());
                } else {
                    gradNorm = GradientClipping.totalNorm(grads, tricks.clipNormType());
                }
                if (tricks.clipGradValue() > 0) {
                    GradientClipping.clipByValue(grads, tricks.clipGradValue());
                }
            }
        }
        long step = scheduleStep();
        double rate = lr.lr(step);
        if (tricks.linearScalingReference() > 0) {
            rate *= (double) pendingRows / tricks.linearScalingReference();
        }
        hyper.set(rate, momentumAt(step));
        if (fp32Grads == null) {
            trainer.step();
        } else {
            java.util.Map<String, NDArray> masters = network.trainableArraysByName();
            fp32Grads.forEach((name, g) -> optimizer.update(idsByName.get(name), masters.get(name), g));
        }
        updates++;
        if (ema != null) {
            ema.update(network.arraysByName());
        }
        Update update = new Update(pendingLoss / pendingBatches, gradNorm);
        clearAccumulation();
        return update;
    }

    /** Forgets the minibatches accumulated towards the next update (after it is applied or skipped). */
    private void clearAccumulation() {
        pendingBatches = 0;
        pendingRows = 0;
        pendingLoss = 0;
    }

    /** The momentum (or beta1) for schedule step t: the schedule's cycled value, else the optimizer's. */
    private double momentumAt(long step) {
        return lr.momentum(step).orElse(cfg.optimizer().momentum());
    }

    /** Runs work with the weights that are evaluated and exported: the averaged ones under ema-for-eval. */
    private <T> T withServedWeights(java.util.function.Supplier<T> work) {
        return ema != null && cfg.tricks().emaForEval() ? ema.withAverage(network.arraysByName(), work) : work.get();
    }

    private void evaluateAndCheckpoint() throws IOException {
        var snapshotOfValidation = validationSet.snapshot();
        if (!snapshotOfValidation.isEmpty()) {
            Evaluator.Result r = withServedWeights(() -> evaluator.evaluate(snapshotOfValidation));
            lastValidation = new ValidationMetrics(cfg.job(), updates, samples, r.rows(), r.meanLoss(), r.accuracy(),
                    System.currentTimeMillis());
            events.validation(lastValidation);
            evaluations++;
            long step = scheduleStep();
            lr.observe(r.meanLoss(), step).ifPresent(d -> {
                String reason = d.action() == ReduceLROnPlateau.Action.RESTARTED ? "plateau_restart" : "plateau_reduce";
                LOG.info("validation loss {} plateaued at update {}: {} lr {} -> {}", r.meanLoss(), updates, reason,
                        d.oldLr(), d.newLr());
                events.lrChanged(new LrChanged(cfg.job(), updates, step, d.oldLr(), d.newLr(), reason, r.meanLoss(),
                        System.currentTimeMillis()));
            });
        }
        ModelSnapshot snapshot = withServedWeights(() -> network.snapshot(updates));
        if (!snapshot.isFinite()) {
            LOG.error("parameters are not finite at update {}: no checkpoint written", updates);
            return;
        }
        var offsets = ledger.nextOffsets();
        lastCheckpoint = checkpoints.save(snapshot, optimizer.exportState(), ema == null ? Map.of() : ema.export(),
                new TrainerState(updates, samples, evaluations, offsets, lr.snapshot(), lastValidation,
                        scaler == null ? null : scaler.state()));
        lastCheckpointHandled = handled;
        events.checkpointSaved(new CheckpointSaved(cfg.job(), updates, lastCheckpoint.toString(), offsets));
    }

    private void finish() throws IOException {
        if (finished) {
            return;
        }
        if (pendingBatches > 0) {
            applyUpdate(); // a partial accumulation still counts: every trained example is in the final model
        }
        if (lastCheckpointHandled != handled) { // something was handled since the last checkpoint
            evaluateAndCheckpoint();
        }
        finished = true;
        long wallMillis = startNanos < 0 ? 0 : (nanoClock.getAsLong() - startNanos) / 1_000_000;
        events.finished(new TrainingFinished(cfg.job(), updates, samples, skipped, wallMillis, lastValidation,
                lastCheckpoint.toString(), ledger.progress()));
    }

    /**
     * Continues where the newest checkpoint of {@code checkpoint.dir} left off: parameters restored in place (never by
     * reloading the block under a live trainer), optimizer state, weight average, counters, learning-rate control
     * and the last validation metrics. Ingest then seeks to the checkpoint's offsets ({@link #resumeOffsets()}).
     */
    private void resumeFromLatestCheckpoint() throws IOException {
        var latest = CheckpointWriter.latest(cfg.checkpoint().dir());
        if (latest.isEmpty()) {
            return;
        }
        Path dir = latest.get();
        ModelSnapshot saved = dev.streamtrain.core.model.ModelSnapshotFiles.read(dir);
        if (!saved.spec().equals(cfg.model())) {
            throw new IllegalStateException("checkpoint " + dir + " holds a different model (" + saved.spec()
                    + ") than the job's model: section (" + cfg.model() + "); point checkpoint.dir elsewhere to start"
                    + " a new model");
        }
        Map<String, NDArray> arrays = network.arraysByName();
        NoGrad.run(() -> arrays.forEach((name, array) -> array.set(java.nio.FloatBuffer.wrap(saved.values(name)))));
        optimizer.restoreState(CheckpointWriter.readOptimizer(dir), arrays);
        if (ema != null) {
            ema.restore(CheckpointWriter.readWeightAverage(dir), arrays);
        }
        TrainerState state = CheckpointWriter.readState(dir);
        updates = state.updates();
        samples = state.samples();
        evaluations = state.evaluations();
        lastValidation = state.validation();
        lr.restore(state.lrControl());
        if (scaler != null && state.lossScaler() != null) {
            scaler.restore(state.lossScaler());
        }
        resumeOffsets = state.offsets();
        lastCheckpoint = dir;
        lastCheckpointHandled = handled;
        LOG.info("resumed from {} at update {} ({} samples)", dir, updates, samples);
    }

    /** The Kafka offsets to continue from: those of the checkpoint resumed, or empty for a new model. */
    public java.util.List<dev.streamtrain.core.events.PartitionOffset> resumeOffsets() {
        return resumeOffsets;
    }

    /** The schedule's step now, on the configured clock. */
    private long scheduleStep() {
        return cfg.schedule().clock().step(updates, samples, evaluations);
    }

    /** Class probabilities from the current weights; served by the loop thread between minibatches. */
    public CompletableFuture<PredictReply> predict(PredictRequest request) {
        CompletableFuture<PredictReply> reply = new CompletableFuture<>();
        commands.add(() -> {
            try {
                float[] p = withServedWeights(() -> evaluator.probabilities(request.x(), request.rows(),
                        request.features()));
                reply.complete(new PredictReply(request.rows(), cfg.model().classes(), p));
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        });
        return reply;
    }

    /** Asks the loop to return. */
    public void stop() {
        running = false;
    }

    /** Releases the model's native memory; call after {@link #run()} returned. */
    @Override
    public void close() {
        trainer.close();
        model.close();
    }

    /** The current weights as an engine-neutral snapshot (call from the loop thread or after it stopped). */
    ModelSnapshot snapshot() {
        return network.snapshot(updates);
    }

}
