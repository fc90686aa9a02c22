package dev.streamtrain.trainer.tricks;

import java.util.Random;

/**
 * Mixup: {@code lambda ~ Beta(alpha, alpha)}; each example is mixed with another of the same minibatch (a seeded
 * permutation), {@code x' = lambda x + (1 - lambda) x[perm]}, and the loss is
 * {@code lambda L(y) + (1 - lambda) L(y[perm])}; only the mixed examples are trained on.
 */
public final class Mixup {
    private final double alpha;
    private final Random rnd;

    /**
     * A mixed minibatch.
     *
     * @param x mixed row-major features
     * @param permutation row i was mixed with row permutation[i]
     * @param lambda the weight of the original rows
     */
    public record Mixed(float[] x, int[] permutation, double lambda) {
    }

    /**
     * @param alpha Beta parameter (> 0)
     * @param seed seed of lambda and the permutations
     */
    public Mixup(double alpha, long seed) {
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("mixup alpha must be > 0, got " + alpha);
        }
        this.alpha = alpha;
        this.rnd = new Random(seed);
    }

    /** Mixes {@code rows} rows of {@code features} features. */
    public Mixed mix(float[] x, int rows, int features) {
        double lambda = beta(alpha, alpha);
        int[] perm = new int[rows];
        for (int i = 0; i < rows; i++) {
            perm[i] = i;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] out = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < features; f++) {
                out[r * features + f] = (float) (lambda * x[r * features + f] + (1 - lambda) * x[perm[r] * features + f]);
            }
        }
        return new Mixed(out, perm, lambda);
    }

    /** A Beta(a, b) draw from two Gamma draws. */
    double beta(double a, double b) {
        double x = gamma(a);
        double y = gamma(b);
        return x / (x + y);
    }

    /** Marsaglia and Tsang's Gamma(shape, 1) sampler, boosted for shape < 1. */
    private double gamma(double shape) {
        if (shape < 1) {
            return gamma(shape + 1) * Math.pow(rnd.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rnd.nextGaussian();
            double v = Math.pow(1 + c * z, 3);
            if (v <= 0) {
                continue;
            }
            double u = rnd.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
