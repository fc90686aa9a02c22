package dev.streamtrain.trainer.tricks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MixupTest {
    @Test
    void betaDrawsHaveTheRightMoments() {
        for (double a : new double[] {0.2, 1.0, 4.0}) {
            Mixup m = new Mixup(a, 1);
            int n = 40_000;
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double l = m.beta(a, a);
                sum += l;
                sq += l * l;
            }
            double mean = sum / n;
            double variance = sq / n - mean * mean;
            assertEquals(0.5, mean, 0.01, "Beta(a, a) mean, a=" + a);
            assertEquals(1 / (4 * (2 * a + 1)), variance, 0.01, "Beta(a, a) variance, a=" + a);
        }
    }

    @Test
    void mixesEachRowWithAPartnerByLambda() {
        float[] x = {0, 0, 10, 10, 20, 20, 30, 30};
        Mixup.Mixed mixed = new Mixup(0.4, 7).mix(x, 4, 2);
        int[] sorted = mixed.permutation().clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3}, sorted, "a permutation of the rows");
        double l = mixed.lambda();
        for (int r = 0; r < 4; r++) {
            float expected = (float) (l * x[2 * r] + (1 - l) * x[2 * mixed.permutation()[r]]);
            assertEquals(expected, mixed.x()[2 * r], 1e-5);
            assertEquals(mixed.x()[2 * r], mixed.x()[2 * r + 1], 0);
        }
        assertThrows(IllegalArgumentException.class, () -> new Mixup(0, 1));
    }
}
