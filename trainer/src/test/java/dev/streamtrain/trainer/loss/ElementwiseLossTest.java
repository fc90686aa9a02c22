package dev.streamtrain.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The elementwise losses against PyTorch's documented definitions, computed by hand in double precision. */
class ElementwiseLossTest {
    private static final double[] P = {0.5, -2.0, 3.0, 40.0};
    private static final double[] T = {1.0, 0.0, 1.0, 0.0};

    private static double loss(String kind, double delta) {
        try (NDManager m = NDManager.newBaseManager()) {
            return new ElementwiseLoss(kind, delta).evaluate(new NDList(m.create(T)), new NDList(m.create(P))).getDouble();
        }
    }

    @Test
    void matchPyTorchDefinitions() {
        double mse = 0;
        double l1 = 0;
        double huber = 0;
        double bce = 0;
        for (int i = 0; i < P.length; i++) {
            double d = P[i] - T[i];
            mse += d * d / P.length;
            l1 += Math.abs(d) / P.length;
            huber += (Math.abs(d) < 1.5 ? 0.5 * d * d : 1.5 * (Math.abs(d) - 0.75)) / P.length;
            double sigmoid = 1 / (1 + Math.exp(-P[i]));
            double term = T[i] == 1 ? -Math.log(sigmoid) : -Math.log1p(-sigmoid);
            bce += (Double.isFinite(term) ? term : P[i]) / P.length; // log(1 - sigmoid(40)) underflows: ~= -40
        }
        assertEquals(mse, loss("mse", 1), 1e-12);
        assertEquals(l1, loss("l1", 1), 1e-12);
        assertEquals(huber, loss("huber", 1.5), 1e-12);
        assertEquals(bce, loss("bce", 1), 1e-9, "BCEWithLogits, stable at a logit of 40");
    }
}
