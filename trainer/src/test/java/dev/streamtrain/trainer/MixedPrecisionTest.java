package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16 mixed precision (fp16 forward/backward, fp32 master weights, dynamic loss scaling), run on the CPU: PyTorch
 * computes fp16 there too, so the mechanism is tested here; users are refused fp16 without a CUDA GPU.
 */
class MixedPrecisionTest {
    private static final String MODEL = "model: {inputs: 4, hidden: [16, 16], classes: 3, batch-norm: true}";

    static TricksInTrainingTest.Run train(Path dir, String tricks, List<MiniBatch> batches) throws Exception {
        var cfg = JobConfigLoader.parse("""
                job: mp
                work-dir: %s
                %s
                optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9}}
                training: {eval-every: 1000, log-every: 1}
                tricks: %s
                """.formatted(dir, MODEL, tricks), "test");
        var events = ResumeTest.run(cfg, batches, new ArrayList<>(), true);
        TrainingFinished done = events.finished.get();
        Path ckpt = Path.of(done.checkpoint());
        return new TricksInTrainingTest.Run(events, done, ModelSnapshotFiles.read(ckpt), ckpt);
    }

    private static boolean finite(ModelSnapshot m) {
        for (String name : m.parameters().keySet()) {
            for (float v : m.values(name)) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void fp16ComputeTracksFp32TrainingOnFp32MasterWeights(@TempDir Path dir) throws Exception {
        List<MiniBatch> one = TricksInTrainingTest.stream(1, 32, 5);
        double firstStep = TricksInTrainingTest.maxAbsDiff(train(dir.resolve("a"), "{}", one).model(),
                train(dir.resolve("b"), "{precision: fp16}", one).model());
        // one SGD step of lr 0.1 moves weights by ~1e-2..1e-1; fp16 rounding of the forward/backward changes it by
        // ~1e-3 of that: a wrong gradient, a missed step or an unscaled gradient would show up orders larger
        assertTrue(firstStep > 0 && firstStep < 2e-3, "one update: fp16 differs from fp32 by rounding only: " + firstStep);

        List<MiniBatch> data = TricksInTrainingTest.stream(80, 32, 5);
        var fp32 = train(dir.resolve("fp32"), "{}", data);
        var fp16 = train(dir.resolve("fp16"), "{precision: fp16}", data);
        assertEquals(80, fp16.done().updates(), "no overflow at the default scale on this data");
        assertTrue(finite(fp16.model()));
        assertTrue(fp16.done().validation().accuracy() > 0.9, fp16.done().validation().toString());
        assertEquals(fp32.done().validation().accuracy(), fp16.done().validation().accuracy(), 0.05);
        var state = CheckpointWriter.readState(fp16.checkpoint());
        assertEquals(65536.0, state.lossScaler().scale(), "PyTorch's init_scale; 80 steps < growth_interval");
        assertEquals(80, state.lossScaler().goodSteps());
    }

    @Test
    void rawUnitsBeyondTheFp16RangeAreScaledInFp32First(@TempDir Path dir) throws Exception {
        // features up to ~6e5: past fp16's largest value (65504), so scaling them in fp16 would make every loss inf
        var run = train(dir, "{precision: fp16}", InputNormalizationTest.rawUnits(80, 5));
        assertEquals(80, run.done().updates(), "every minibatch trained: " + run.done());
        assertEquals(0, run.done().skippedUpdates());
        double accuracy = InputNormalizationTest.accuracy(run.model(), InputNormalizationTest.rawUnits(10, 99));
        assertTrue(accuracy > 0.9, "learns raw units in fp16: " + accuracy);
    }

    @Test
    void overflowingStepsAreSkippedAndTheScaleBacksOffUntilGradientsAreFinite(@TempDir Path dir) throws Exception {
        List<MiniBatch> data = TricksInTrainingTest.stream(60, 32, 8);
        var run = train(dir, "{precision: fp16, grad-scaler: {init_scale: 1.0e9, growth_interval: 20}}", data);
        long skipped = run.done().skippedUpdates();
        assertTrue(skipped >= 5 && skipped < 30, "1e9 overflows fp16 gradients until halved to ~1e4: " + skipped);
        assertEquals(60, run.done().updates() + skipped, "every minibatch either stepped or was skipped");
        assertTrue(finite(run.model()), "a skipped step never touches the weights");
        assertTrue(run.done().validation().accuracy() > 0.8, run.done().validation().toString());
        var scaler = CheckpointWriter.readState(run.checkpoint()).lossScaler();
        assertEquals(skipped, scaler.skippedSteps());
        assertTrue(scaler.scale() < 1.0e9, "backed off: " + scaler);
        double lowest = 1.0e9 * Math.pow(0.5, skipped);
        double grown = lowest * Math.pow(2, run.done().updates() / 20);
        assertTrue(scaler.scale() <= grown * 1.0001, "grows once per 20 finite steps at most: " + scaler);
    }
}
