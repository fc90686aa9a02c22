package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.PredictReply;
import dev.streamtrain.core.events.PredictRequest;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.model.ReferenceForward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
    static final int FEATURES = 4;
    static final int CLASSES = 3;

    /** Three Gaussian blobs: class c is centred at 2*e_c. */
    static MiniBatch blobs(Random rnd, int rows, String topic, long offset) {
        float[] x = new float[rows * FEATURES];
        long[] y = new long[rows];
        for (int r = 0; r < rows; r++) {
            int c = rnd.nextInt(CLASSES);
            y[r] = c;
            for (int f = 0; f < FEATURES; f++) {
                x[r * FEATURES + f] = (float) ((f == c ? 2.0 : 0.0) + 0.5 * rnd.nextGaussian());
            }
        }
        return new MiniBatch(rows, FEATURES, x, y, List.of(OffsetRange.single(topic, 0, offset)));
    }

    static final class Recorder implements TrainerEvents {
        final List<StepMetrics> steps = new CopyOnWriteArrayList<>();
        final List<ValidationMetrics> validations = new CopyOnWriteArrayList<>();
        final List<CheckpointSaved> checkpoints = new CopyOnWriteArrayList<>();
        final List<dev.streamtrain.core.events.LrChanged> lrChanges = new CopyOnWriteArrayList<>();
        final CompletableFuture<TrainingFinished> finished = new CompletableFuture<>();
        final List<dev.streamtrain.core.batch.QuarantineRequest> deadLettered = new CopyOnWriteArrayList<>();
        final List<dev.streamtrain.core.events.UpdateRejected> rejected = new CopyOnWriteArrayList<>();
        final List<dev.streamtrain.core.events.RolledBack> rollbacks = new CopyOnWriteArrayList<>();

        public void step(StepMetrics m) { steps.add(m); }
        public void validation(ValidationMetrics m) { validations.add(m); }
        public void checkpointSaved(CheckpointSaved c) { checkpoints.add(c); }
        public void lrChanged(dev.streamtrain.core.events.LrChanged c) { lrChanges.add(c); }
        public void finished(TrainingFinished f) { finished.complete(f); }
        public void updateRejected(dev.streamtrain.core.events.UpdateRejected r) { rejected.add(r); }
        public void rolledBack(dev.streamtrain.core.events.RolledBack r) { rollbacks.add(r); }
        /** Acknowledges at once, like a broker that took the dead-letter copy. */
        public CompletableFuture<Void> quarantine(dev.streamtrain.core.batch.QuarantineRequest r) {
            deadLettered.add(r);
            return CompletableFuture.completedFuture(null);
        }
    }

    static JobConfig config(Path dir) {
        return JobConfigLoader.parse("""
                job: blobs
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9, weight_decay: 0.0001}}
                schedule:
                  scheduler: ReduceLROnPlateau
                  params:
                    patience: 0
                    threshold: 0.5
                    factor: 0.5
                    schedule: {scheduler: OneCycleLR, params: {max_lr: 0.2, total_steps: 149}}
                training: {eval-every: 20, log-every: 1}
                checkpoint: {keep: 2}
                """.formatted(dir), "test");
    }

    @Test
    void learnsSkipsNonFiniteBatchesAuditsOffsetsAndCheckpoints(@TempDir Path dir) throws Exception {
        Random rnd = new Random(7);
        ValidationSet validation = new ValidationSet(10_000);
        for (int i = 0; i < 5; i++) {
            validation.add(blobs(rnd, 20, "v", i));
        }
        BackPressureQueue<BatchQueueItem> queue = new BackPressureQueue<>(1000, 1);
        int batches = 150;
        for (int i = 0; i < batches; i++) {
            MiniBatch b = blobs(rnd, 16, "t", i);
            if (i == 40) {
                b.x()[3] = Float.NaN; // one poisoned minibatch
            }
            queue.put(i == 10 ? b.producedAt(System.currentTimeMillis() - 5_000) : b); // one record 5 s old
        }
        queue.put(new EndOfStream(Map.of("t-0", (long) batches)));

        Recorder events = new Recorder();
        TrainingLoop loop = new TrainingLoop(config(dir), queue, validation, events, System::nanoTime);
        Thread thread = new Thread(loop::run);
        thread.start();
        try {
            TrainingFinished done = events.finished.get(120, TimeUnit.SECONDS);
            assertEquals(batches - 1, done.updates(), "the NaN minibatch is not applied");
            assertEquals(1, done.skippedUpdates());
            assertTrue(done.validation().accuracy() > 0.85, "accuracy " + done.validation().accuracy());
            assertTrue(done.validation().loss() < 0.3 * Math.log(CLASSES),
                    "validation loss " + done.validation().loss() + " far below chance level ln(3)");
            assertEquals(batches / 20 + 1, events.validations.size(), "every 20 updates, plus the final one");
            assertTrue(events.rejected.stream().anyMatch(r -> Double.isNaN(r.value())), "the NaN loss is reported");
            assertTrue(events.steps.stream().allMatch(s -> Double.isFinite(s.loss())), "steps are trained updates");
            StepMetrics eleventh = events.steps.stream().filter(s -> s.update() == 11).findFirst().orElseThrow();
            assertTrue(eleventh.ageMillis() >= 5_000 && eleventh.ageMillis() < 60_000, "freshness " + eleventh);
            assertTrue(events.steps.stream().filter(s -> s.update() != 11).allMatch(s -> s.ageMillis() == -1),
                    "minibatches without a production time report no age");
            var time = done.time();
            assertTrue(time.evaluatingMillis() > 0 && time.checkpointingMillis() > 0, "evaluated and checkpointed: "
                    + time);
            assertTrue(time.waitingMillis() + time.evaluatingMillis() + time.checkpointingMillis()
                    <= time.wallMillis(), "the parts fit in the whole: " + time);

            var progress = done.progress().get(0);
            assertEquals(batches - 1, progress.records(), "the NaN minibatch is not trained...");
            assertEquals(1, progress.deadLettered(), "...but dead-lettered");
            assertEquals(1, events.deadLettered.size());
            assertEquals("non_finite_loss", events.deadLettered.get(0).reason());
            assertEquals(List.of(OffsetRange.single("t", 0, 40)), events.deadLettered.get(0).sources());
            assertEquals(1, events.rejected.size());
            assertEquals("non_finite_loss", events.rejected.get(0).reason());
            assertEquals(41, events.rejected.get(0).update(), "40 updates were applied before it: it would have been the 41st");
            assertEquals(0, progress.duplicates());
            assertEquals(0, progress.firstOffset());
            assertEquals(batches - 1, progress.lastOffset());
            CheckpointSaved last = events.checkpoints.get(events.checkpoints.size() - 1);
            assertEquals(batches, last.offsets().get(0).nextOffset());
            try (var listing = Files.list(dir.resolve("checkpoints"))) {
                assertEquals(2, listing.filter(p -> p.getFileName().toString().startsWith("ckpt-")).count(), "kept 2");
            }

            // every update used the schedule's rate and cycled momentum, scaled by the plateau control
            var policy = config(dir).schedule();
            assertTrue(events.lrChanges.size() >= 1, "threshold 0.5 makes improvements rare: the plateau rule fires");
            var change = events.lrChanges.get(0);
            assertEquals("plateau_reduce", change.reason());
            assertEquals(change.oldLr() * 0.5, change.newLr(), 1e-12);
            double scaleNow = 1.0;
            int nextChange = 0;
            for (StepMetrics s : events.steps) {
                // a skipped (NaN) minibatch keeps the update count: it follows the evaluation at that count
                boolean skippedStep = Double.isNaN(s.loss());
                while (nextChange < events.lrChanges.size() && (events.lrChanges.get(nextChange).update() < s.update()
                        || skippedStep && events.lrChanges.get(nextChange).update() == s.update())) {
                    scaleNow *= 0.5;
                    nextChange++;
                }
                long t = skippedStep ? s.update() : s.update() - 1;
                assertEquals(policy.schedule().lr(t) * scaleNow, s.lr(), 1e-9, "lr of update " + s.update());
                assertEquals(policy.schedule().momentum(t).orElseThrow(), s.momentum(), 1e-9, "momentum " + s.update());
            }
            assertTrue(events.steps.stream().mapToDouble(StepMetrics::momentum).min().orElseThrow() < 0.86, "momentum cycles");

            // the checkpoint's explicit state round-trips
            Path ckpt = Path.of(done.checkpoint());
            TrainerState state = CheckpointWriter.readState(ckpt);
            assertEquals(batches - 1, state.updates());
            assertEquals(done.validation(), state.validation());
            assertEquals(events.lrChanges.size(), state.lrControl().reductions());
            assertEquals(last.offsets(), state.offsets());
            var optimizerState = CheckpointWriter.readOptimizer(ckpt);
            for (String p : java.util.List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias")) {
                assertTrue(optimizerState.containsKey("momentum_buffer." + p), p);
                assertEquals(batches - 1, optimizerState.get("step." + p).toLongs()[0], "steps of " + p);
            }
            assertEquals(8, optimizerState.size());

            ModelSnapshot saved = ModelSnapshotFiles.read(Path.of(done.checkpoint()));
            assertTrue(saved.isFinite());
            assertEquals(batches - 1, saved.updates());

            // DJL's probabilities equal the snapshot's math: proves the export names and layouts are right.
            MiniBatch probe = blobs(rnd, 5, "p", 0);
            PredictReply reply = ((dev.streamtrain.core.control.CommandReply.Predicted) loop.control(
                    new dev.streamtrain.core.control.TrainerCommand.Predict(new PredictRequest(5, FEATURES, probe.x())))
                    .get(30, TimeUnit.SECONDS)).prediction();
            float[] expected = ReferenceForward.probabilities(saved, probe.x(), 5);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], reply.probabilities()[i], 1e-5, "probability " + i);
            }
        } finally {
            loop.stop();
            thread.join();
            loop.close();
        }
    }

    @Test
    void ourSafetensorsEncodingDecodesIdenticallyWithDjl() throws Exception {
        byte[] doc = dev.streamtrain.core.wire.MiniBatchCodec.standard().encode(2, 3,
                new float[] {1, 2, 3, 4, 5, 6}, new long[] {7, 8});
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDList list = ai.djl.ndarray.NDList.decode(m, doc);
            assertEquals("x", list.get(0).getName());
            assertArrayEquals(new long[] {2, 3}, list.get(0).getShape().getShape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, list.get(0).toFloatArray());
            assertArrayEquals(new long[] {7, 8}, list.get(1).toLongArray());
            // and back: DJL's encoder, our decoder
            byte[] djl = list.encode(ai.djl.ndarray.NDList.Encoding.SAFETENSORS);
            var batch = dev.streamtrain.core.wire.MiniBatchCodec.standard().decode(djl, OffsetRange.single("t", 0, 0));
            assertArrayEquals(new long[] {7, 8}, batch.y());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, batch.x());
        }
    }
}
