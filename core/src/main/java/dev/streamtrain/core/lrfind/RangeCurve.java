package dev.streamtrain.core.lrfind;

import java.util.Arrays;

/**
 * The loss against the rate as a range test records it, smoothed as fastai's {@code Recorder} does
 * ({@code AvgSmoothLoss}, beta 0.98: an exponential moving average debiased by {@code 1 - beta^n}), with its
 * divergence rule ({@code LRFinder}, {@code stop_div}): the sweep should stop once the smoothed loss exceeds
 * {@value #DIVERGENCE} times the best so far, or a loss is not finite.
 */
public final class RangeCurve {
    /** fastai's smoothing weight. */
    public static final double BETA = 0.98;
    /** The smoothed loss over the best one that ends a sweep (fastai's 4). */
    public static final double DIVERGENCE = 4.0;
    private double[] lrs = new double[64];
    private double[] losses = new double[64];
    private double[] smoothed = new double[64];
    private int n;
    private double average;
    private double best = Double.POSITIVE_INFINITY;
    private boolean diverged;

    /**
     * Records one update's rate and training loss.
     *
     * @return true when the sweep has diverged (this update or before)
     */
    public boolean add(double lr, double loss) {
        if (n == lrs.length) {
            lrs = Arrays.copyOf(lrs, n * 2);
            losses = Arrays.copyOf(losses, n * 2);
            smoothed = Arrays.copyOf(smoothed, n * 2);
        }
        average = BETA * average + (1 - BETA) * loss;
        double value = average / (1 - Math.pow(BETA, n + 1));
        lrs[n] = lr;
        losses[n] = loss;
        smoothed[n] = value;
        n++;
        if (!Double.isFinite(value)) {
            diverged = true;
        } else {
            best = Math.min(best, value);
            diverged |= value > DIVERGENCE * best;
        }
        return diverged;
    }

    /** True once the smoothed loss went over {@value #DIVERGENCE} times the best, or a loss was not finite. */
    public boolean diverged() {
        return diverged;
    }

    /** Updates recorded. */
    public int size() {
        return n;
    }

    public double[] lrs() {
        return Arrays.copyOf(lrs, n);
    }

    /** The raw training losses. */
    public double[] losses() {
        return Arrays.copyOf(losses, n);
    }

    /** The smoothed losses (what the suggestions and the plot use). */
    public double[] smoothed() {
        return Arrays.copyOf(smoothed, n);
    }
}
