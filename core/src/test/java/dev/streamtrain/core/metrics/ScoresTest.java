package dev.streamtrain.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Values computed by hand and checked against scikit-learn 1.x's definitions (roc_auc_score, log_loss,
 * top_k_accuracy_score, mean_absolute_error, root_mean_squared_error) on the same small inputs.
 */
class ScoresTest {
    @Test
    void aucIsTheMannWhitneyStatisticWithTiesCountedHalf() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        assertEquals(0.75, Scores.auc(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true}),
                1e-12);
        // roc_auc_score([0, 1], [0.5, 0.5]) == 0.5; perfect and reversed rankings
        assertEquals(0.5, Scores.auc(new double[] {0.5, 0.5}, new boolean[] {false, true}), 1e-12);
        assertEquals(1.0, Scores.auc(new double[] {0.1, 0.2, 0.9}, new boolean[] {false, false, true}), 1e-12);
        assertEquals(0.0, Scores.auc(new double[] {0.9, 0.2, 0.1}, new boolean[] {false, true, true}), 1e-12);
        // roc_auc_score([0, 1, 0, 1, 1], [0.3, 0.3, 0.6, 0.7, 0.3]) == 0.5: of the 6 (positive, negative) pairs,
        // 2 ties count half, 2 are won (0.7 beats both), 2 lost (0.3 below 0.6): (1 + 2) / 6
        assertEquals(0.5, Scores.auc(new double[] {0.3, 0.3, 0.6, 0.7, 0.3},
                new boolean[] {false, true, false, true, true}), 1e-12);
        assertTrue(Double.isNaN(Scores.auc(new double[] {0.3, 0.4}, new boolean[] {true, true})), "one class only");
    }

    @Test
    void logLossClipsLikeScikitLearn() {
        // log_loss([1, 0], [0.9, 0.2]) == (-ln 0.9 - ln 0.8) / 2
        assertEquals((-Math.log(0.9) - Math.log(0.8)) / 2,
                Scores.logLoss(new double[] {0.9, 0.2}, new boolean[] {true, false}), 1e-12);
        assertEquals(-Math.log(1e-15), Scores.logLoss(new double[] {0.0}, new boolean[] {true}), 1e-9);
    }

    @Test
    void headMetrics() {
        // softmax over 3 classes, k = 2: row 0 true 2 (rank 3 -> miss), row 1 true 0 (rank 2 -> hit)
        float[] p = {0.5f, 0.3f, 0.2f, 0.4f, 0.5f, 0.1f};
        long[] y = {2, 0};
        var m = Scores.extra("softmax", 3, 2, p, y, null);
        assertEquals(0.5, m.get("top2_accuracy"), 1e-12);
        assertEquals(0.0, Scores.accuracy("softmax", 3, p, y, null), 1e-12);
        assertTrue(!m.containsKey("auc"), "not binary");
        // two-class softmax: auc and log-loss on p[:, 1]
        var binary = Scores.extra("softmax", 2, 5, new float[] {0.9f, 0.1f, 0.2f, 0.8f}, new long[] {0, 1}, null);
        assertEquals(1.0, binary.get("auc"), 1e-12);
        assertEquals(-(Math.log(0.9f) + Math.log(0.8f)) / 2, binary.get("log_loss"), 1e-6);
        // regression: mean_absolute_error([1, 2], [1.5, 1]) == 0.75; RMSE sqrt((0.25 + 1) / 2)
        var reg = Scores.extra("identity", 1, 5, new float[] {1.5f, 1f}, null, new float[] {1, 2});
        assertEquals(0.75, reg.get("mae"), 1e-12);
        assertEquals(Math.sqrt(0.625), reg.get("rmse"), 1e-12);
        assertTrue(Double.isNaN(Scores.accuracy("identity", 1, new float[] {1}, null, new float[] {1})));
        assertEquals(0.5, Scores.accuracy("sigmoid", 2, new float[] {0.7f, 0.2f}, null, new float[] {1, 1}), 1e-12);
    }
}
