package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.Normalization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.normalize in training: statistics from the training stream, applied inside the model, frozen for eval. */
class InputNormalizationTest {
    /** Features in raw units several orders of magnitude apart, as tabular data arrives. */
    private static final float[] UNITS = {1e-3f, 1f, 300f, 5e4f};

    static List<MiniBatch> rawUnits(int batches, long seed) {
        List<MiniBatch> out = new ArrayList<>();
        for (MiniBatch b : TricksInTrainingTest.stream(batches, 16, seed)) {
            float[] x = b.x().clone();
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * UNITS[i % UNITS.length] + 10 * UNITS[i % UNITS.length];
            }
            out.add(new MiniBatch(b.rows(), b.features(), x, b.y(), b.sources()));
        }
        return out;
    }

    @Test
    void standardStatisticsFollowTheTrainingStreamAndStayFrozenForEvaluation(@TempDir Path dir) throws Exception {
        List<MiniBatch> data = rawUnits(120, 5);
        var run = TricksInTrainingTest.train(dir, "model: {inputs: 4, hidden: [16], classes: 3, normalize: standard}\n"
                + "training: {eval-every: 40, log-every: 1}", data);
        ModelSnapshot s = run.model();
        assertEquals(new Normalization("standard", null), s.spec().normalization());
        double[] mean = new double[4];
        int rows = 0;
        for (MiniBatch b : data) {
            for (int i = 0; i < b.x().length; i++) {
                mean[i % 4] += b.x()[i];
            }
            rows += b.rows();
        }
        assertEquals(rows, s.values(Normalization.COUNT)[0], "every training example, no validation row");
        float[] shift = s.values(Normalization.SHIFT);
        for (int f = 0; f < 4; f++) {
            assertEquals(mean[f] / rows, shift[f], 1e-4 * Math.abs(mean[f] / rows), "the stream's mean, feature " + f);
        }
        float[] scale = s.values(Normalization.SCALE);
        assertTrue(scale[3] < 1e-3 && scale[0] > 100, "scales undo the units: " + java.util.Arrays.toString(scale));
        assertTrue(accuracy(s, rawUnits(10, 99)) > 0.9, "learns raw units: " + accuracy(s, rawUnits(10, 99)));
        // evaluation ran three times on rows far from the stream's units: the count above holds training rows only
        assertEquals(3, run.events().validations.size());
    }

    /** Accuracy of the snapshot's own forward pass (normalization included) on held-out raw-unit rows. */
    static double accuracy(ModelSnapshot s, List<MiniBatch> batches) {
        int right = 0;
        int rows = 0;
        for (MiniBatch b : batches) {
            float[] p = dev.streamtrain.core.model.ReferenceForward.probabilities(s, b.x(), b.rows());
            for (int r = 0; r < b.rows(); r++) {
                int best = 0;
                for (int c = 1; c < 3; c++) {
                    best = p[r * 3 + c] > p[r * 3 + best] ? c : best;
                }
                right += best == b.y()[r] ? 1 : 0;
            }
            rows += b.rows();
        }
        return (double) right / rows;
    }

    @Test
    void aRefusedMinibatchNeverMovesTheStatistics(@TempDir Path dir) throws Exception {
        List<MiniBatch> data = new ArrayList<>(rawUnits(40, 6));
        MiniBatch poison = rawUnits(1, 7).get(0);
        float[] x = poison.x().clone();
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 1e30f; // finite, so ingest lets it through; scaled by the stream's statistics: an inf loss
        }
        data.add(20, new MiniBatch(poison.rows(), poison.features(), x, poison.y(), poison.sources()));
        var run = TricksInTrainingTest.train(dir, "model: {inputs: 4, hidden: [16], classes: 3}\n"
                + "training: {eval-every: 1000, log-every: 1}", data);
        assertEquals(1, run.events().rejected.size(), "the guard refused it: " + run.events().rejected);
        assertEquals(40 * 16, run.model().values(Normalization.COUNT)[0], "40 trained minibatches, not 41");
        assertTrue(run.model().values(Normalization.SCALE)[3] > 1e-6, "no 1e30 in the variance");
    }

    @Test
    void withoutNormalizationTheSameRawUnitsDoNotTrain(@TempDir Path dir) throws Exception {
        var run = TricksInTrainingTest.train(dir, "model: {inputs: 4, hidden: [16], classes: 3, normalize: none}\n"
                + "training: {eval-every: 1000, log-every: 1}", rawUnits(120, 5));
        double accuracy = accuracy(run.model(), rawUnits(10, 99));
        assertTrue(accuracy < 0.8, "the contrast the switch exists for: " + accuracy);
    }
}
