package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.PredictRequest;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollback in place, quarantine, the rate cut, the non-finite-parameter undo and the command protocol's refusals. */
class RollbackTest {
    static JobConfig config(Path dir, String extra) {
        return JobConfigLoader.parse("""
                job: blobs
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9}}
                training: {eval-every: 10, log-every: 1}
                checkpoint: {keep: 2}
                %s
                """.formatted(dir, extra), "test");
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(2);
        }
    }

    /** A loop on its own thread, fed by the test. */
    record Running(TrainingLoop loop, TrainingLoopTest.Recorder events, BackPressureQueue<BatchQueueItem> queue,
            Thread thread) implements AutoCloseable {
        static Running start(JobConfig cfg) {
            var queue = new BackPressureQueue<BatchQueueItem>(1000, 500);
            var validation = new ValidationSet(1000);
            Random v = new Random(7);
            for (int i = 0; i < 10; i++) {
                validation.add(TrainingLoopTest.blobs(v, 30, "v", i));
            }
            var events = new TrainingLoopTest.Recorder();
            TrainingLoop loop = new TrainingLoop(cfg, queue, validation, events, System::nanoTime);
            Thread thread = new Thread(loop::run);
            thread.start();
            return new Running(loop, events, queue, thread);
        }

        void feed(Random rnd, long fromOffset, int count) {
            for (int i = 0; i < count; i++) {
                queue.put(TrainingLoopTest.blobs(rnd, 16, "t", fromOffset + i));
            }
        }

        CommandReply send(TrainerCommand command) throws Exception {
            return loop.control(command).get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            loop.stop();
            thread.join();
            loop.close();
        }
    }

    @Test
    void aSpikeIsRolledBackQuarantinedAndTrainedPastAtALowerRate(@TempDir Path dir) throws Exception {
        Random rnd = new Random(3);
        try (Running run = Running.start(config(dir, ""))) {
            run.feed(rnd, 0, 40);
            await(() -> run.events().steps.size() >= 40);
            MiniBatch poison = TrainingLoopTest.blobs(rnd, 16, "t", 40);
            for (int i = 0; i < poison.x().length; i++) {
                // finite, so validation lets it through, and small enough for a finite gradient norm (1e30 would
                // overflow the norm, and the guard would refuse the update before it is applied)
                poison.x()[i] *= 1e12f;
            }
            for (int i = 0; i < poison.y().length; i++) {
                poison.y()[i] = (poison.y()[i] + 1) % 3; // and wrong: the loss is huge
            }
            run.queue().put(poison);
            await(() -> run.events().steps.size() >= 41);
            double lrBefore = run.events().steps.get(40).lr();
            assertTrue(run.events().steps.get(40).loss() > 1e10, "the spike was applied: " + run.events().steps.get(40));

            CommandReply reply = run.send(new TrainerCommand.Rollback("loss_spike", 41));
            var accepted = assertInstanceOf(CommandReply.Accepted.class, reply, reply.toString());
            assertEquals(40, accepted.update(), "restored the good state saved before update 41");
            assertEquals(1, run.events().rollbacks.size());
            var rolled = run.events().rollbacks.get(0);
            assertEquals(41, rolled.fromUpdate());
            assertEquals(40, rolled.toUpdate());
            assertEquals(List.of(OffsetRange.single("t", 0, 40)), rolled.quarantined());
            assertEquals(lrBefore * 0.5, rolled.lrAfter(), 1e-12);
            assertEquals(1, run.events().deadLettered.size());
            assertEquals("rollback", run.events().deadLettered.get(0).reason());

            assertInstanceOf(CommandReply.Refused.class, run.send(new TrainerCommand.Rollback("loss_spike", 45)),
                    "an alert about an undone update is refused");

            run.feed(rnd, 41, 59);
            run.queue().put(new EndOfStream(Map.of("t-0", 100L)));
            var done = run.events().finished.get(120, TimeUnit.SECONDS);
            assertEquals(99, done.updates(), "40 + 59: the spike's update was undone");
            assertEquals(lrBefore * 0.5, run.events().steps.get(run.events().steps.size() - 1).lr(), 1e-12,
                    "the lower rate holds");
            assertTrue(done.validation().accuracy() > 0.85, "accuracy " + done.validation());
            assertTrue(ModelSnapshotFiles.read(Path.of(done.checkpoint())).isFinite());
            var audit = done.progress().get(0);
            assertEquals(99, audit.records());
            assertEquals(1, audit.deadLettered());
            assertEquals(0, audit.duplicates(), "every record trained once or dead-lettered once");
        }
    }

    @Test
    void replayRetrainsTheUndoneMinibatchesOnceAtTheLowerRate(@TempDir Path dir) throws Exception {
        Random rnd = new Random(4);
        try (Running run = Running.start(config(dir, "rollback: {replay: true}"))) {
            run.feed(rnd, 0, 35);
            await(() -> run.events().steps.size() >= 35);
            var reply = run.send(new TrainerCommand.Rollback("operator", 0));
            assertEquals(30, assertInstanceOf(CommandReply.Accepted.class, reply).update());
            run.queue().put(new EndOfStream(Map.of("t-0", 35L)));
            var done = run.events().finished.get(120, TimeUnit.SECONDS);
            assertEquals(35, done.updates(), "the 5 undone minibatches were trained again");
            assertEquals(35, done.progress().get(0).records());
            assertEquals(0, done.progress().get(0).deadLettered());
            assertEquals(0, done.progress().get(0).duplicates());
        }
    }

    @Test
    void nonFiniteParametersAreUndoneAndTheCommandsRefuseWhatTheyMust(@TempDir Path dir) throws Exception {
        Random rnd = new Random(5);
        try (Running run = Running.start(config(dir, ""))) {
            run.feed(rnd, 0, 12);
            await(() -> run.events().steps.size() >= 12);
            assertInstanceOf(CommandReply.Refused.class, run.send(new TrainerCommand.ScaleLr(0, "x")));
            assertInstanceOf(CommandReply.Refused.class, run.send(new TrainerCommand.ScaleLr(11, "x")));
            assertInstanceOf(CommandReply.Refused.class, run.send(new TrainerCommand.Resume()));
            assertInstanceOf(CommandReply.Refused.class, run.send(new TrainerCommand.SetLr(-1, "x")));
            assertInstanceOf(CommandReply.Refused.class,
                    run.send(new TrainerCommand.Predict(new PredictRequest(1, 3, new float[3]))), "3 features, not 4");
            assertInstanceOf(CommandReply.Predicted.class,
                    run.send(new TrainerCommand.Predict(new PredictRequest(1, 4, new float[4]))));

            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.Pause("test")));
            run.feed(rnd, 12, 3);
            Thread.sleep(200);
            assertEquals(12, run.events().steps.size(), "paused: nothing trained");
            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.Resume()));
            await(() -> run.events().steps.size() >= 15);

            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.SetLr(1e300, "break it")));
            run.feed(rnd, 15, 1);
            await(() -> !run.events().rollbacks.isEmpty());
            var rolled = run.events().rollbacks.get(0);
            assertEquals("non_finite_parameters", rolled.reason());
            assertEquals(10, rolled.toUpdate(), "the newest good state");
            assertEquals("non_finite_parameters", run.events().rejected.get(0).reason());
            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.SetLr(0.05, "repair")));
            run.feed(rnd, 16, 4);
            run.queue().put(new EndOfStream(Map.of("t-0", 20L)));
            var done = run.events().finished.get(120, TimeUnit.SECONDS);
            assertTrue(ModelSnapshotFiles.read(Path.of(done.checkpoint())).isFinite());
            var audit = done.progress().get(0);
            assertEquals(20, audit.records() + audit.deadLettered(), audit.toString());
            assertEquals(0, audit.duplicates());
            assertInstanceOf(CommandReply.Refused.class, run.send(new TrainerCommand.Stop("late", false)),
                    "already finished");
        }
    }

    @Test
    void anInfiniteGradientNormUnderClippingIsRefusedNotAppliedAsAZeroStep(@TempDir Path dir) throws Exception {
        Random rnd = new Random(8);
        try (Running run = Running.start(config(dir, "tricks: {clip-grad-norm: 1.0}"))) {
            run.feed(rnd, 0, 5);
            await(() -> run.events().steps.size() >= 5);
            var probe = new PredictRequest(2, 4, new float[] {1, 0, 0, 0, 0, 2, 0, 0});
            var before = ((CommandReply.Predicted) run.send(new TrainerCommand.Predict(probe))).prediction();
            MiniBatch exploding = TrainingLoopTest.blobs(rnd, 16, "t", 5);
            for (int i = 0; i < exploding.x().length; i++) {
                exploding.x()[i] = exploding.x()[i] * 1e30f + 1e30f;
            }
            run.queue().put(exploding);
            await(() -> !run.events().rejected.isEmpty());
            var after = ((CommandReply.Predicted) run.send(new TrainerCommand.Predict(probe))).prediction();
            assertEquals("non_finite_gradient", run.events().rejected.get(0).reason());
            assertTrue(Double.isInfinite(run.events().rejected.get(0).value()), "the norm overflowed");
            assertEquals(5, run.events().steps.stream().filter(s -> Double.isFinite(s.loss())).count(),
                    "no sixth update");
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.probabilities(), after.probabilities(),
                    "the weights did not move: no zero step, no partial step");
            assertEquals("non_finite_gradient", run.events().deadLettered.get(0).reason());
        }
    }

    @Test
    void stopWithRestoreBestEndsOnTheBestGoodCheckpointWithItsWeightsInTheTrainer(@TempDir Path dir) throws Exception {
        Random rnd = new Random(9);
        try (Running run = Running.start(config(dir, "early-stopping: {monitor: val_loss, restore_best: true}"))) {
            run.feed(rnd, 0, 30);
            await(() -> run.events().checkpoints.size() >= 4); // 0, 10, 20, 30
            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.SetLr(5, "make it worse"))); // worse, still finite
            run.feed(rnd, 30, 20);
            await(() -> run.events().steps.size() >= 50);
            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.Stop("test", true)));
            var done = run.events().finished.get(60, TimeUnit.SECONDS);
            var best = run.events().validations.stream().min((a, b) -> Double.compare(a.loss(), b.loss()))
                    .orElseThrow();
            var last = run.events().validations.get(run.events().validations.size() - 1);
            assertTrue(best.update() < last.update() && best.loss() < last.loss(), best + " / " + last);
            assertTrue(done.checkpoint().endsWith(String.format("ckpt-%012d", best.update())), done.checkpoint());
            assertEquals(best.loss(), done.validation().loss(), 1e-12);
            assertEquals("test", done.stopReason());
            // the trainer now holds the best weights: its predictions are the checkpoint's
            var saved = ModelSnapshotFiles.read(Path.of(done.checkpoint()));
            float[] x = TrainingLoopTest.blobs(new Random(1), 5, "p", 0).x();
            var reply = (CommandReply.Predicted) run.send(new TrainerCommand.Predict(new PredictRequest(5, 4, x)));
            float[] expected = dev.streamtrain.core.model.ReferenceForward.probabilities(saved, x, 5);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], reply.prediction().probabilities()[i], 1e-5);
            }
        }
    }

    @Test
    void underEmaForEvalARollbackRestoresTheLiveTrainingWeightsNotTheAverage(@TempDir Path dir) throws Exception {
        Random rnd = new Random(13);
        try (Running run = Running.start(config(dir, "tricks: {ema-decay: 0.9, ema-for-eval: true}"))) {
            run.feed(rnd, 0, 15);
            // checkpoints are announced once durable, a little after their update
            await(() -> run.events().steps.size() >= 15 && run.events().checkpoints.size() >= 2);
            Path ckpt = Path.of(run.events().checkpoints.get(1).path()); // update 10
            var live = CheckpointWriter.readTrainingWeights(ckpt);
            var served = ModelSnapshotFiles.read(ckpt);
            assertTrue(!live.isEmpty(), "the live weights are saved beside the average");
            String name = dev.streamtrain.core.model.ModelSpec.weightName(0); // the input scaling is not averaged
            assertTrue(!java.util.Arrays.equals(live.get(name).toFloats(), served.values(name)),
                    "the model files hold the average, not the live weights");
            assertInstanceOf(CommandReply.Accepted.class, run.send(new TrainerCommand.Rollback("test", 11)));
            var now = run.loop().snapshot(); // the queue is empty: the loop is idle
            for (String n : live.keySet()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(live.get(n).toFloats(), now.values(n), 0f, n);
            }
        }
    }
}
