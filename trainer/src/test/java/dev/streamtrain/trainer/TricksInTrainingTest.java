package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.trainer.optim.StepHyperParameters;
import dev.streamtrain.trainer.optim.TorchSgd;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each trick switched on in the real training loop, with a test of its effect. */
class TricksInTrainingTest {

    record Run(TrainingLoopTest.Recorder events, TrainingFinished done, ModelSnapshot model, Path checkpoint) {
        double lateMeanLoss() {
            List<StepMetrics> s = events.steps;
            return s.subList(s.size() / 2, s.size()).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
        }
    }

    static Run train(Path dir, String extraYaml, List<MiniBatch> batches) throws Exception {
        var cfg = JobConfigLoader.parse("""
                job: tricks
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                optimizer: {name: SGD, params: {lr: 0.1}}
                training: {eval-every: 1000, log-every: 1}
                %s
                """.formatted(dir, extraYaml), "test");
        var events = ResumeTest.run(cfg, batches, new ArrayList<>());
        TrainingFinished done = events.finished.get();
        Path ckpt = Path.of(done.checkpoint());
        return new Run(events, done, ModelSnapshotFiles.read(ckpt), ckpt);
    }

    static List<MiniBatch> stream(int batches, int rows, long seed) {
        Random rnd = new Random(seed);
        List<MiniBatch> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            out.add(TrainingLoopTest.blobs(rnd, rows, "t", i));
        }
        return out;
    }

    static double maxAbsDiff(ModelSnapshot a, ModelSnapshot b) {
        return a.maxAbsDiff(b);
    }

    @Test
    void accumulatingTwoMinibatchesEqualsOneUpdateOnTheirUnion(@TempDir Path dir) throws Exception {
        // normalize: none below: the statistics scale each minibatch as it comes, so only the gradients add up
        List<MiniBatch> two = stream(2, 8, 11);
        MiniBatch a = two.get(0);
        MiniBatch b = two.get(1);
        float[] x = new float[a.x().length + b.x().length];
        System.arraycopy(a.x(), 0, x, 0, a.x().length);
        System.arraycopy(b.x(), 0, x, a.x().length, b.x().length);
        long[] y = new long[16];
        System.arraycopy(a.y(), 0, y, 0, 8);
        System.arraycopy(b.y(), 0, y, 8, 8);
        MiniBatch union = new MiniBatch(16, 4, x, y, List.of(new OffsetRange("t", 0, 0, 1)));

        String raw = "model: {inputs: 4, hidden: [16], classes: 3, normalize: none}\n";
        Run accumulated = train(dir.resolve("acc"), raw + "tricks: {accumulate: 2}", two);
        Run single = train(dir.resolve("one"), raw, List.of(union));
        assertEquals(1, accumulated.done().updates(), "two minibatches, one update");
        assertEquals(1, single.done().updates());
        assertTrue(maxAbsDiff(accumulated.model(), single.model()) < 1e-6,
                "loss/k accumulation equals the mean-loss step: " + maxAbsDiff(accumulated.model(), single.model()));
    }

    @Test
    void clippingBoundsTheStepAndPublishesThePreClipNorm(@TempDir Path dir) throws Exception {
        List<MiniBatch> one = stream(1, 16, 5);
        String raw = "model: {inputs: 4, hidden: [16], classes: 3, normalize: none}\n"; // weights move, nothing else
        Run unclipped = train(dir.resolve("free"), raw, one);
        Run clipped = train(dir.resolve("clip"), raw + "tricks: {clip-grad-norm: 0.001}", one);
        Run initial = train(dir.resolve("none"), raw + "training: {max-updates: 1}", List.of());
        double norm = clipped.events().steps.get(0).gradNorm();
        assertEquals(norm, unclipped.events().steps.get(0).gradNorm(), 1e-6 * norm,
                "the pre-clip norm is measured with clipping off too (the non-finite guard reads it)");
        assertTrue(norm > 0.001, "pre-clip norm published: " + norm);
        double stepSize = 0;
        for (String name : clipped.model().parameters().keySet()) {
            float[] after = clipped.model().values(name);
            float[] before = initial.model().values(name);
            for (int i = 0; i < after.length; i++) {
                stepSize += Math.pow(after[i] - before[i], 2);
            }
        }
        assertTrue(Math.sqrt(stepSize) <= 0.1 * 0.001 * 1.001, "lr * max_norm bounds the step: " + Math.sqrt(stepSize));
        assertTrue(maxAbsDiff(unclipped.model(), initial.model()) > 100 * Math.sqrt(stepSize), "unclipped moves further");
    }

    @Test
    void labelSmoothingFloorsTheLossAndFloodingKeepsItUp(@TempDir Path dir) throws Exception {
        List<MiniBatch> data = stream(120, 16, 7);
        Run plain = train(dir.resolve("plain"), "optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9}}", data);
        Run smoothed = train(dir.resolve("smooth"), """
                optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9}}
                tricks: {label-smoothing: 0.1}""", data);
        Run flooded = train(dir.resolve("flood"), """
                optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9}}
                tricks: {flooding: 0.5}""", data);
        // with eps = 0.1 over 3 classes no prediction scores below the target's entropy, about 0.29
        double floor = -(0.9 + 0.1 / 3) * Math.log(0.9 + 0.1 / 3) - 2 * (0.1 / 3) * Math.log(0.1 / 3);
        assertTrue(plain.lateMeanLoss() < 0.15, "baseline fits: " + plain.lateMeanLoss());
        assertTrue(smoothed.events().steps.stream().allMatch(s -> s.loss() >= floor - 1e-6), "smoothed loss floor");
        assertTrue(flooded.lateMeanLoss() > 0.3, "flooding holds the training loss near 0.5: " + flooded.lateMeanLoss());
    }

    @Test
    void emaWeightsAreWhatIsCheckpointedAndLinearScalingSetsTheRate(@TempDir Path dir) throws Exception {
        Run r = train(dir, """
                tricks: {ema-decay: 0.9, ema-for-eval: true, linear-scaling-reference: 64}""", stream(20, 16, 9));
        var average = CheckpointWriter.readWeightAverage(r.checkpoint());
        var served = new java.util.LinkedHashMap<>(r.model().parameters());
        served.keySet().removeIf(n -> n.startsWith("normalize.")); // the stream's statistics, not averaged
        assertEquals(served, average, "the served snapshot is the weight average");
        for (StepMetrics s : r.events().steps) {
            assertEquals(0.1 * 16 / 64, s.lr(), 1e-12, "lr = base * batch / reference");
        }
    }

    @Test
    void mixupStillLearnsAndLrMultipliersScaleParameterGroups(@TempDir Path dir) throws Exception {
        List<MiniBatch> data = stream(120, 16, 13);
        Run mixed = train(dir.resolve("mixup"), """
                optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9}}
                tricks: {mixup-alpha: 0.4}""", data);
        Run plain = train(dir.resolve("plain"), "optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9}}", data);
        assertTrue(mixed.done().validation().accuracy() > 0.85, "learns on mixed examples: " + mixed.done().validation());
        assertTrue(mixed.lateMeanLoss() > 2 * plain.lateMeanLoss(), "mixed targets keep the training loss up");

        Run initial = train(dir.resolve("init"), "training: {max-updates: 1}", List.of());
        Run frozen = train(dir.resolve("frozen"), "tricks: {lr-multipliers: {layers.0: 0.0}}", stream(10, 16, 2));
        assertEquals(initial.model().parameters().get("layers.0.weight"), frozen.model().parameters().get("layers.0.weight"),
                "multiplier 0 freezes the first layer");
        assertTrue(!initial.model().parameters().get("layers.1.weight").equals(frozen.model().parameters().get("layers.1.weight")),
                "the rest trains");
    }

    @Test
    void decoupledWeightDecayTurnsAdamIntoAdamW() {
        StepHyperParameters hyper = new StepHyperParameters(0.05, 0.9);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray adamw = m.create(new double[] {0.5, -1.0});
            NDArray adam = adamw.duplicate();
            var a = new dev.streamtrain.trainer.optim.TorchAdam(0.999, 1e-8, 0.1, false, true, hyper, id -> id);
            var b = new dev.streamtrain.trainer.optim.TorchAdam(0.999, 1e-8, 0.1, false, false, hyper, id -> id);
            b.decoupleWeightDecay(0.1);
            for (int t = 0; t < 5; t++) {
                a.update("w", adamw, m.create(new double[] {0.3 * t, -0.2}));
                b.update("w", adam, m.create(new double[] {0.3 * t, -0.2}));
            }
            assertEquals(adamw.toDoubleArray()[0], adam.toDoubleArray()[0], 1e-15);
            assertEquals(adamw.toDoubleArray()[1], adam.toDoubleArray()[1], 1e-15);
        }
    }

    @Test
    void noBiasDecayLeavesBiasesAlone() {
        StepHyperParameters hyper = new StepHyperParameters(0.5, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = m.create(new float[] {1, 2});
            NDArray bias = m.create(new float[] {1, 2});
            TorchSgd sgd = new TorchSgd(0, false, 0.1, hyper, id -> id);
            sgd.decayOnly(name -> name.endsWith(".weight"));
            sgd.update("layers.0.weight", weight, m.create(new float[] {0, 0}));
            sgd.update("layers.0.bias", bias, m.create(new float[] {0, 0}));
            assertEquals(0.95f, weight.toFloatArray()[0], 1e-7, "w -= lr * wd * w");
            assertEquals(1f, bias.toFloatArray()[0], 0, "biases get no decay");
        }
    }
}
