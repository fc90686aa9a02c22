package dev.streamtrain.app;

import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.OptimizerSettings;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.UpdateRejected;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.lrfind.RangeCurve;
import dev.streamtrain.core.lrfind.RangeSweep;
import dev.streamtrain.ingest.ConsumerSettings;
import dev.streamtrain.trainer.TrainerEvents;
import dev.streamtrain.trainer.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * One range test on the live stream: a throwaway copy of the job's model, with its optimizer, tricks and loss, trained
 * by the job's own training loop at the sweep's rising rate on minibatches a {@link RangeReader} reads from the job's
 * topics. Its checkpoints go to a scratch directory deleted afterwards; it commits nothing. The sweep stops at its last
 * step, when the loss diverges ({@link RangeCurve}), or when a bounded position runs out of records.
 */
final class RangeTest {
    /**
     * @param curve what was recorded
     * @param stopReason {@code end of sweep}, {@code diverged at lr ...} or {@code out of records ...}
     * @param records records read
     * @param passedOver records not trained, by reason
     * @param startedAt where the reading started, in words
     */
    record Result(RangeCurve curve, String stopReason, long records, Map<String, Long> passedOver, String startedAt) {
    }

    private RangeTest() {
    }

    /**
     * Runs the sweep.
     *
     * @param progress called on the trainer thread after each update with (updates done, the update's metrics)
     */
    static Result run(JobConfig job, String bootstrapServers, RangeSweep sweep, RangeReader.From from, long last,
            long idleMillis, BiConsumer<Integer, StepMetrics> progress) throws Exception {
        Path scratch = Files.createTempDirectory("streamtrain-lr-find");
        try {
            JobConfig cfg = sweepConfig(job, sweep, scratch);
            Map<String, Object> settings = new HashMap<>(ConsumerSettings.of(bootstrapServers,
                    job.ingest().groupId(), job.kafka().consumer()));
            settings.put("allow.auto.create.topics", "false"); // never, whatever kafka.consumer says
            settings.put("enable.auto.commit", "false"); // the job's group is read, never written
            var reader = new RangeReader(settings, Pipeline.trainRoutes(job, Pipeline.ownTopics(job)), from, last,
                    job.ingest().batchSize(), idleMillis);
            RangeCurve curve = new RangeCurve();
            var done = new CompletableFuture<TrainingFinished>();
            String[] diverged = {null};
            TrainingLoop[] looping = {null};
            Runnable stopSweep = () -> looping[0].control(new TrainerCommand.Stop("the loss diverged", false));
            try (TrainingLoop loop = new TrainingLoop(cfg, reader.queue(), new ValidationSet(1),
                    events(curve, done, diverged, sweep, progress, stopSweep), System::nanoTime)) {
                looping[0] = loop;
                Thread readerThread = new Thread(reader, "lr-find-reader");
                Thread trainer = new Thread(() -> {
                    try {
                        loop.run();
                    } catch (RuntimeException | Error e) { // the sweep ends with the reason rather than waiting
                        done.completeExceptionally(e);
                    }
                }, "lr-find-trainer");
                readerThread.setDaemon(true);
                readerThread.start();
                trainer.start();
                TrainingFinished finished;
                try {
                    finished = done.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("the range test's training failed: "
                            + dev.streamtrain.core.events.Failures.describe(e.getCause()));
                } finally {
                    reader.stop();
                    loop.stop();
                    trainer.join();
                    readerThread.join(10_000);
                }
                if (reader.failure() != null && curve.size() < dev.streamtrain.core.lrfind.RangeSuggestions
                        .MIN_POINTS) {
                    throw new IllegalStateException(reader.failure());
                }
                String reason = diverged[0] != null ? diverged[0] : curve.size() >= sweep.steps() ? "end of sweep"
                        : reader.failure() != null ? reader.failure() + " after " + curve.size() + " updates"
                        : (reader.idle() ? "no new records for " + idleMillis / 1000 + " s" : "out of records")
                                + " after " + curve.size() + " of " + sweep.steps() + " updates";
                return new Result(curve, reason, reader.records(), reader.passedOver(), reader.startedAt());
            }
        } finally {
            try {
                dev.streamtrain.core.model.AtomicFiles.deleteTree(scratch);
            } catch (java.io.IOException e) {
                // a scratch directory left in the temp dir is harmless
            }
        }
    }

    /** The job with the sweep's schedule, nothing evaluated or kept, its checkpoints in {@code scratch}. */
    static JobConfig sweepConfig(JobConfig job, RangeSweep sweep, Path scratch) {
        OptimizerSettings o = job.optimizer();
        var optimizer = new OptimizerSettings(o.name(), sweep.baseLr(), o.momentum(), o.dampening(), o.nesterov(),
                o.weightDecay(), o.beta2(), o.eps(), o.amsgrad(), o.alpha(), o.centered(), o.rho(), o.lrDecay(),
                o.initialAccumulatorValue());
        var t = job.training();
        var training = new JobConfig.TrainingSettings(Integer.MAX_VALUE, t.logEvery(), t.loss(), t.huberDelta(),
                sweep.steps(), t.seed());
        var checkpoint = new JobConfig.CheckpointSettings(scratch.resolve("checkpoints"), 1, 0, 0);
        return new JobConfig(job.job() + "-lr-find", scratch, job.kafka(), job.ingest(), job.model(), optimizer,
                sweep.policy(), job.tricks(), training, checkpoint, job.serving(), job.monitor(), job.remediation(),
                job.rollback(), job.earlyStopping(), job.validation(), job.deploy(), false);
    }

    private static TrainerEvents events(RangeCurve curve, CompletableFuture<TrainingFinished> done, String[] diverged,
            RangeSweep sweep, BiConsumer<Integer, StepMetrics> progress, Runnable stopSweep) {
        return new TrainerEvents() {
            public void step(StepMetrics m) {
                // the schedule's rate (what max_lr takes), not the applied one: linear scaling multiplies that by
                // rows / reference, and the trainer would scale a suggested max_lr again
                double lr = sweep.lr((int) Math.min(sweep.steps() - 1, Math.max(0, m.update() - 1)));
                if (diverged[0] == null && curve.add(lr, m.loss())) {
                    diverged[0] = "diverged at lr " + String.format(java.util.Locale.ROOT, "%.3g", lr) + " (update "
                            + curve.size() + " of " + sweep.steps() + ")";
                    stopSweep.run(); // served between minibatches, on this thread
                }
                progress.accept(curve.size(), m);
            }

            public void updateRejected(UpdateRejected r) { // a non-finite loss or gradient: the sweep has diverged
                if (diverged[0] == null) {
                    boolean nonFinite = r.reason().startsWith("non_finite");
                    if (nonFinite) {
                        curve.add(sweep.lr(Math.min(curve.size(), sweep.steps() - 1)), Double.NaN);
                    }
                    diverged[0] = (nonFinite ? "diverged: " : "stopped: the trainer refused an update: ")
                            + r.reason() + " (update " + (curve.size() + 1) + " of " + sweep.steps() + ")";
                    stopSweep.run();
                }
            }

            @Override
            public CompletableFuture<Void> quarantine(dev.streamtrain.core.batch.QuarantineRequest request) {
                return CompletableFuture.completedFuture(null); // a range test writes nothing: no dead letters
            }

            public void validation(ValidationMetrics m) { }
            public void checkpointSaved(CheckpointSaved c) { }
            public void lrChanged(LrChanged c) { }
            public void finished(TrainingFinished f) {
                done.complete(f);
            }
        };
    }
}
