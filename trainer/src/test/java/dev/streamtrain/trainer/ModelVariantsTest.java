package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.PredictRequest;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.model.ReferenceForward;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch norm, dropout and residual blocks: they train, and DJL's inference equals the snapshot's reference. */
class ModelVariantsTest {
    static final String MODEL = "model: {inputs: 4, hidden: [16, 16, 16], classes: 3, batch-norm: true, dropout: 0.1,"
            + " residual: true}";

    @Test
    void trainsAndDjlInferenceMatchesTheReferenceOfTheSnapshot(@TempDir Path dir) throws Exception {
        var run = TricksInTrainingTest.train(dir, MODEL + "\ntricks: {zero-init-residual: true}\n"
                + "optimizer: {name: Adam, params: {lr: 0.01}}", TricksInTrainingTest.stream(80, 16, 17));
        assertTrue(run.done().validation().accuracy() > 0.85, "learns: " + run.done().validation());
        ModelSnapshot s = run.model();
        assertEquals(true, s.spec().batchNorm());
        float[] runningVar = s.values(ModelSpec.runningVarName(1));
        assertTrue(runningVar[0] != 1.0f, "running statistics were updated in training mode");
    }

    @Test
    void zeroInitResidualStartsEveryBlockAsIdentityAndEvalMatchesTheReference(@TempDir Path dir) throws Exception {
        var cfg = JobConfigLoader.parse("""
                job: variants
                work-dir: %s
                %s
                tricks: {zero-init-residual: true}
                training: {eval-every: 5, log-every: 1}
                """.formatted(dir, MODEL), "test");
        ValidationSet validation = new ValidationSet(100);
        validation.add(TrainingLoopTest.blobs(new Random(1), 20, "v", 0));
        var queue = new BackPressureQueue<dev.streamtrain.core.batch.BatchQueueItem>(1000, 1);
        TricksInTrainingTest.stream(5, 16, 3).forEach(queue::put); // exactly one checkpoint, then the loop idles
        var events = new TrainingLoopTest.Recorder();
        TrainingLoop loop = new TrainingLoop(cfg, queue, validation, events, System::nanoTime);
        ModelSnapshot initial = loop.snapshot();
        assertArrayEquals(new float[16], initial.values(ModelSpec.normWeightName(1)), "residual branch gamma 0");
        assertArrayEquals(new float[16], initial.values(ModelSpec.normWeightName(2)));
        float[] ones = new float[16];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, initial.values(ModelSpec.normWeightName(0)), "the stem's gamma keeps 1");
        Thread thread = new Thread(loop::run);
        thread.start();
        try {
            while (events.checkpoints.size() < 2) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            float[] x = TrainingLoopTest.blobs(new Random(9), 6, "p", 0).x();
            float[] djl = ((dev.streamtrain.core.control.CommandReply.Predicted) loop.control(
                    new dev.streamtrain.core.control.TrainerCommand.Predict(new PredictRequest(6, 4, x)))
                    .get(30, TimeUnit.SECONDS)).prediction().probabilities();
            assertEquals(2, events.checkpoints.size());
            assertEquals(0, events.checkpoints.get(0).update(), "the initial state, a good state to roll back to");
            assertEquals(5, events.checkpoints.get(1).update());
            ModelSnapshot trained = dev.streamtrain.core.model.ModelSnapshotFiles.read(
                    Path.of(events.checkpoints.get(1).path()));
            float[] reference = ReferenceForward.probabilities(trained, x, 6);
            for (int i = 0; i < reference.length; i++) {
                assertEquals(reference[i], djl[i], 1e-5, "eval mode: running statistics, no dropout, residual add");
            }
        } finally {
            loop.stop();
            thread.join();
            loop.close();
        }
    }

    @Test
    void mixedPrecisionOnTheCpuFailsClearly(@TempDir Path dir) {
        var cfg = JobConfigLoader.parse("job: mp\nwork-dir: " + dir + "\ntricks: {precision: fp16, device: cpu}\n", "t");
        var e = assertThrows(IllegalStateException.class, () -> new TrainingLoop(cfg, new BackPressureQueue<>(2, 1),
                new ValidationSet(10), new TrainingLoopTest.Recorder(), System::nanoTime));
        assertTrue(e.getMessage().contains("fp16 needs a CUDA GPU"), e.getMessage());
    }
}
