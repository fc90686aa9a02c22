package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.config.JobConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation joins its minibatches into passes of up to {@link Evaluator#ROWS_PER_PASS} rows: the result is the one
 * of scoring each minibatch on its own (loss up to float rounding), also across a pass boundary.
 */
class EvaluationPassesTest {
    @Test
    void joinedPassesScoreAsEachMinibatchAlone(@TempDir Path dir) {
        JobConfig cfg = dev.streamtrain.core.config.JobConfigLoader.parse("""
                job: blobs
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                """.formatted(dir), "test");
        try (var parts = new ModelParts(cfg, new RateControl(cfg, new RunState()).hyper(), false)) {
            Random rnd = new Random(3);
            List<MiniBatch> batches = new ArrayList<>();
            for (int i = 0; i < 70; i++) { // 2,240 rows: two passes
                int rows = 32;
                float[] x = new float[rows * 4];
                long[] y = new long[rows];
                for (int r = 0; r < rows; r++) {
                    y[r] = rnd.nextInt(3);
                    for (int f = 0; f < 4; f++) {
                        x[r * 4 + f] = (float) (rnd.nextGaussian() + y[r]);
                    }
                }
                batches.add(new MiniBatch(rows, 4, x, y, List.of()));
            }
            Evaluator evaluator = parts.evaluator;
            var alone = evaluator.summarize(batches.stream().map(evaluator::score).toList());
            var joined = evaluator.evaluate(batches);
            assertEquals(alone.rows(), joined.rows());
            assertEquals(alone.accuracy(), joined.accuracy());
            assertEquals(alone.meanLoss(), joined.meanLoss(), 1e-6 * Math.abs(alone.meanLoss()));
            assertEquals(alone.metrics().keySet(), joined.metrics().keySet());
            alone.metrics().forEach((k, v) -> assertEquals(v, joined.metrics().get(k), 1e-6, k));
        }
    }
}
