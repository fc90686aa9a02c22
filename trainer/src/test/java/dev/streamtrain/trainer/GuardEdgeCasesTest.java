package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.TrainingFinished;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edge cases found in review: a run finishes once, a rollback never repeats an undo the trainer already did, and a
 * refused minibatch never enters the prequential window.
 */
class GuardEdgeCasesTest {

    /** Counts every TrainingFinished (the repo's Recorder keeps only the first). */
    static class Counting implements TrainerEvents {
        final TrainingLoopTest.Recorder inner = new TrainingLoopTest.Recorder();
        final List<TrainingFinished> finished = new CopyOnWriteArrayList<>();
        public void step(dev.streamtrain.core.events.StepMetrics m) { inner.step(m); }
        public void validation(dev.streamtrain.core.events.ValidationMetrics m) { inner.validation(m); }
        public void checkpointSaved(dev.streamtrain.core.events.CheckpointSaved c) { inner.checkpointSaved(c); }
        public void lrChanged(dev.streamtrain.core.events.LrChanged c) { inner.lrChanged(c); }
        public void finished(TrainingFinished f) { finished.add(f); }
        public void updateRejected(dev.streamtrain.core.events.UpdateRejected r) { inner.updateRejected(r); }
        public void rolledBack(dev.streamtrain.core.events.RolledBack r) { inner.rolledBack(r); }
        public java.util.concurrent.CompletableFuture<Void> quarantine(dev.streamtrain.core.batch.QuarantineRequest r) {
            return inner.quarantine(r);
        }
    }

    /** {@code n} minibatches of blobs on partition t-0 (seed 1), then the end of the stream. */
    private static BackPressureQueue<BatchQueueItem> blobsThenEnd(int n) {
        var queue = new BackPressureQueue<BatchQueueItem>(1000, 500);
        Random rnd = new Random(1);
        for (int i = 0; i < n; i++) {
            queue.put(TrainingLoopTest.blobs(rnd, 16, "t", i));
        }
        queue.put(new EndOfStream(Map.of("t-0", (long) n)));
        return queue;
    }

    /** Runs a loop over a filled queue until it finishes; its first TrainingFinished. */
    private static TrainingFinished runToTheEnd(dev.streamtrain.core.config.JobConfig cfg,
            BackPressureQueue<BatchQueueItem> queue, Counting events) throws Exception {
        TrainingLoop loop = new TrainingLoop(cfg, queue, new ValidationSet(10), events, System::nanoTime);
        Thread t = new Thread(loop::run);
        t.start();
        RollbackTest.await(() -> !events.finished.isEmpty());
        loop.stop();
        t.join();
        loop.close();
        return events.finished.get(0);
    }

    /** A job never resumes another job's checkpoints (a shared work-dir): it refuses to start, naming both. */
    @Test
    void aJobRefusesTheCheckpointsOfAnotherJob(@TempDir Path dir) throws Exception {
        String yaml = """
                job: %s
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                optimizer: {name: SGD, params: {lr: 0.1}}
                training: {eval-every: 5, log-every: 1}
                """;
        var first = dev.streamtrain.core.config.JobConfigLoader.parse(yaml.formatted("first", dir), "test");
        runToTheEnd(first, blobsThenEnd(10), new Counting());
        var second = dev.streamtrain.core.config.JobConfigLoader.parse(yaml.formatted("second", dir), "test");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> new TrainingLoop(second,
                new BackPressureQueue<>(10, 5), new ValidationSet(10), new Counting(), System::nanoTime));
        assertTrue(e.getMessage().contains("holds the checkpoints of job 'first', and this job is 'second'"),
                e.getMessage());
    }

    /**
     * ExponentialLR with gamma 1e10 overflows to an infinite rate at step 31: the run ends there, with the step named,
     * rather than dead-letter every later minibatch (the schedule would fail the same way on each).
     */
    @Test
    void aScheduleThatOverflowsEndsTheRunWithTheStepNamed(@TempDir Path dir) throws Exception {
        var cfg = dev.streamtrain.core.config.JobConfigLoader.parse("""
                job: blobs
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                optimizer: {name: SGD, params: {lr: 1.0e-300}}
                schedule: {scheduler: ExponentialLR, params: {gamma: 1.0e10}}
                training: {eval-every: 1000, log-every: 1}
                """.formatted(dir), "test");
        TrainingFinished f = runToTheEnd(cfg, blobsThenEnd(100), new Counting());
        assertTrue(f.stopReason().startsWith("invalid_learning_rate: the schedule gave the rate Infinity at step"),
                f.stopReason());
        assertTrue(f.updates() < 100, "the run ended at the overflow: " + f.updates() + " updates");
    }

    /**
     * accumulate: 2, max-updates: 5; the stream ends after 9 minibatches (4 updates + 1 pending). finish() applies the
     * partial accumulation, which reaches max-updates and calls finish() again from inside finish():
     * TrainingFinished is published twice (DeployVerticle exports and verifies twice).
     */
    @Test
    void endOfStreamWithAPartialAccumulationThatReachesMaxUpdatesFinishesTwice(@TempDir Path dir) throws Exception {
        var cfg = dev.streamtrain.core.config.JobConfigLoader.parse("""
                job: blobs
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                optimizer: {name: SGD, params: {lr: 0.1}}
                training: {eval-every: 10, log-every: 1, max-updates: 5}
                tricks: {accumulate: 2}
                """.formatted(dir), "test");
        var queue = new BackPressureQueue<BatchQueueItem>(1000, 500);
        Random rnd = new Random(1);
        for (int i = 0; i < 9; i++) {
            queue.put(TrainingLoopTest.blobs(rnd, 16, "t", i));
        }
        queue.put(new EndOfStream(Map.of("t-0", 9L)));
        var events = new Counting();
        var validation = new ValidationSet(1000);
        validation.add(TrainingLoopTest.blobs(new Random(2), 30, "v", 0));
        TrainingLoop loop = new TrainingLoop(cfg, queue, validation, events, System::nanoTime);
        Thread t = new Thread(loop::run);
        t.start();
        RollbackTest.await(() -> !events.finished.isEmpty());
        Thread.sleep(500);
        loop.stop();
        t.join();
        loop.close();
        assertEquals(1, events.finished.size(), "TrainingFinished events: " + events.finished);
    }

    /**
     * Parameters become non-finite on the first update after the checkpoint at update 10. The trainer undoes it itself
     * (rolls back to ckpt-10, which is fine). The monitor then acts on the non_finite_parameters alert (default
     * action: rollback) with Rollback(kind, alert.update = 10): it is accepted and rolls back a second time, to ckpt-0,
     * dead-lettering 10 good minibatches and halving the rate again.
     */
    @Test
    void theMonitorsRollbackForASelfUndoneParameterBreakRollsBackASecondTime(@TempDir Path dir) throws Exception {
        Random rnd = new Random(4);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir, ""))) {
            run.feed(rnd, 0, 10);
            RollbackTest.await(() -> run.events().checkpoints.size() >= 2); // ckpt-0 and ckpt-10
            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.SetLr(1e300, "break it")));
            run.feed(rnd, 10, 1);
            RollbackTest.await(() -> !run.events().rollbacks.isEmpty());
            assertEquals(10, run.events().rollbacks.get(0).toUpdate(), "the trainer undid it itself: back to ckpt-10");
            var rejected = run.events().rejected.get(0);
            assertEquals("non_finite_parameters", rejected.reason());
            assertEquals(11, rejected.update(), "the refused update's own number");
            // what RemediationPolicy sends for this alert (its update is the UpdateRejected's update)
            CommandReply reply = run.send(new TrainerCommand.Rollback("non_finite_parameters", rejected.update()));
            assertInstanceOf(CommandReply.Refused.class, reply,
                    "the breakage was already undone; a second rollback discards good updates: " + reply
                    + " ; dead-lettered: " + run.events().deadLettered.size() + " requests");
        }
    }

    /**
     * drive: prequential. A minibatch the guard refuses (x1e30: infinite gradient norm, not trained, dead-lettered)
     * was scored into the prequential window before the guard ran (Checkpoints.beforeTraining), so the driving
     * validation metric becomes non-finite for a whole window: plateau control observes it, and early stopping with
     * check_finite (default true) would stop the run.
     */
    @Test
    void aRefusedMinibatchPoisonsThePrequentialMetric(@TempDir Path dir) throws Exception {
        Random rnd = new Random(5);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir,
                "validation: {sources: [prequential], drive: prequential, min-rows: 16}"))) {
            run.feed(rnd, 0, 5);
            RollbackTest.await(() -> run.events().steps.size() >= 5);
            var exploding = TrainingLoopTest.blobs(rnd, 16, "t", 5);
            for (int i = 0; i < exploding.x().length; i++) {
                exploding.x()[i] = exploding.x()[i] * 1e30f + 1e30f;
            }
            run.queue().put(exploding);
            RollbackTest.await(() -> !run.events().rejected.isEmpty());
            run.feed(rnd, 6, 10);
            RollbackTest.await(() -> run.events().validations.size() >= 1);
            var v = run.events().validations.get(0);
            org.junit.jupiter.api.Assertions.assertTrue(Double.isFinite(v.loss()) && v.loss() < 100,
                    "prequential evaluation at update " + v.update() + " includes the refused minibatch: " + v);
        }
    }

    /** The broker refuses the first dead-letter write: it is retried, and only then are the offsets handled. */
    @Test
    void aFailedDeadLetterWriteIsRetriedBeforeItsOffsetsCount(@TempDir Path dir) throws Exception {
        var cfg = RollbackTest.config(dir, "");
        var queue = new BackPressureQueue<BatchQueueItem>(1000, 500);
        Random rnd = new Random(6);
        for (int i = 0; i < 4; i++) {
            queue.put(TrainingLoopTest.blobs(rnd, 16, "t", i));
        }
        var nan = TrainingLoopTest.blobs(rnd, 16, "t", 4);
        nan.x()[0] = Float.NaN;
        queue.put(nan);
        queue.put(new EndOfStream(Map.of("t-0", 5L)));
        var attempts = new java.util.concurrent.atomic.AtomicInteger();
        var events = new Counting() {
            @Override
            public java.util.concurrent.CompletableFuture<Void> quarantine(
                    dev.streamtrain.core.batch.QuarantineRequest r) {
                return attempts.incrementAndGet() == 1
                        ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("broker down"))
                        : super.quarantine(r);
            }
        };
        runToTheEnd(cfg, queue, events);
        assertEquals(2, attempts.get(), "one retry");
        var audit = events.finished.get(0).progress().get(0);
        assertEquals(1, audit.deadLettered(), "counted once, after the write that succeeded");
        assertEquals(4, audit.records());
        assertEquals(5, events.inner.checkpoints.get(events.inner.checkpoints.size() - 1).offsets().get(0).nextOffset());
    }

    /** A critical alert nobody acted on is open at the end: the run ends on the newest good state, not a suspect one. */
    @Test
    void aCriticalAlertOpenAtTheEndRollsBackBeforeTheFinalCheckpoint(@TempDir Path dir) throws Exception {
        Random rnd = new Random(10);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir, ""))) {
            run.feed(rnd, 0, 25);
            RollbackTest.await(() -> run.events().steps.size() >= 25);
            run.loop().alertRaised(new dev.streamtrain.core.events.Alert("blobs", "divergence", "critical",
                    "validation loss rising", 23, 1.0, 0));
            run.loop().alertRaised(new dev.streamtrain.core.events.Alert("blobs", "non_finite_loss", "critical",
                    "a refused update", 24, Double.NaN, java.util.Map.of(),
                    List.of(dev.streamtrain.core.batch.OffsetRange.single("t", 0, 99)), 1, 0)); // ignored: refused
            run.queue().put(new EndOfStream(Map.of("t-0", 25L)));
            var done = run.events().finished.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(20, done.updates(), "back to the newest good state");
            org.junit.jupiter.api.Assertions.assertTrue(done.checkpoint().endsWith("ckpt-000000000020"),
                    done.checkpoint());
            var audit = done.progress().get(0);
            assertEquals(20, audit.records());
            assertEquals(5, audit.deadLettered(), "the minibatches after it are dead-lettered, not silently dropped");
            assertEquals(0, audit.duplicates());
            assertEquals("critical alert open at the end of the run", run.events().rollbacks.get(0).reason());
        }
    }

    /** An engine error on one minibatch: it is dead-lettered as training_error, and the run goes on and finishes. */
    @Test
    void anEngineErrorDeadLettersTheMinibatchAndTheRunGoesOn(@TempDir Path dir) throws Exception {
        Random rnd = new Random(12);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir, ""))) {
            run.feed(rnd, 0, 3);
            run.queue().put(new dev.streamtrain.core.batch.MiniBatch(2, 5, new float[10], new long[] {0, 1},
                    List.of(dev.streamtrain.core.batch.OffsetRange.single("t", 0, 3)))); // 5 features, model takes 4
            run.feed(rnd, 4, 2);
            run.queue().put(new EndOfStream(Map.of("t-0", 6L)));
            var done = run.events().finished.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(5, done.updates());
            var audit = done.progress().get(0);
            assertEquals(5, audit.records());
            assertEquals(1, audit.deadLettered());
            assertEquals("training_error", run.events().deadLettered.get(0).reason());
            assertEquals(6, run.events().checkpoints.get(run.events().checkpoints.size() - 1).offsets().get(0)
                    .nextOffset(), "the commit passes it: handled, not lost");
        }
    }
}
