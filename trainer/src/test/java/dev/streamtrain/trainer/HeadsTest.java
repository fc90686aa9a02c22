package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Linear regression (identity head, MSE/Huber) and binary logistic regression (sigmoid head, BCE) train. */
class HeadsTest {

    static List<MiniBatch> linear(int batches, long seed) {
        Random rnd = new Random(seed);
        List<MiniBatch> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            float[] x = new float[16 * 4];
            float[] t = new float[16];
            for (int r = 0; r < 16; r++) {
                for (int f = 0; f < 4; f++) {
                    x[r * 4 + f] = (float) rnd.nextGaussian();
                }
                t[r] = 2 * x[r * 4] - x[r * 4 + 1] + 0.5f;
            }
            out.add(MiniBatch.withTargets(16, 4, x, t, 1, List.of(OffsetRange.single("t", 0, b))));
        }
        return out;
    }

    @Test
    void linearRegressionRecoversItsCoefficients(@TempDir Path dir) throws Exception {
        // normalize: none: the coefficients are read off the weights, in the features' own units
        for (String loss : List.of("mse", "huber")) {
            var run = TricksInTrainingTest.train(dir.resolve(loss), """
                    model: {inputs: 4, hidden: [], classes: 1, head: identity, normalize: none}
                    training: {eval-every: 1000, log-every: 1, loss: %s}
                    optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}""".formatted(loss), linear(150, 4));
            float[] w = run.model().values(ModelSpec.weightName(0));
            float[] b = run.model().values(ModelSpec.biasName(0));
            assertEquals(2.0, w[0], 0.02, loss);
            assertEquals(-1.0, w[1], 0.02, loss);
            assertEquals(0.0, w[2], 0.02, loss);
            assertEquals(0.5, b[0], 0.02, loss);
            assertTrue(Double.isNaN(run.done().validation().accuracy()), "no accuracy for regression");
        }
    }

    @Test
    void binaryLogisticRegressionWithBceLearns(@TempDir Path dir) throws Exception {
        Random rnd = new Random(5);
        List<MiniBatch> data = new ArrayList<>();
        for (int b = 0; b < 100; b++) {
            float[] x = new float[16 * 4];
            long[] y = new long[16];
            for (int r = 0; r < 16; r++) {
                y[r] = rnd.nextInt(2);
                for (int f = 0; f < 4; f++) {
                    x[r * 4 + f] = (float) ((f == 0 ? (y[r] == 1 ? 1.5 : -1.5) : 0) + 0.7 * rnd.nextGaussian());
                }
            }
            data.add(new MiniBatch(16, 4, x, y, List.of(OffsetRange.single("t", 0, b))));
        }
        var run = TricksInTrainingTest.train(dir, """
                model: {inputs: 4, hidden: [], classes: 1, head: sigmoid}
                training: {eval-every: 1000, log-every: 1}""", data);
        assertEquals("sigmoid", run.model().spec().head());
        assertTrue(run.model().values(ModelSpec.weightName(0))[0] > 1, "the informative feature gets the weight");
    }
}
