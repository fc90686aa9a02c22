package dev.streamtrain.trainer;

import java.util.function.LongSupplier;

/**
 * Training speed and the recent loss, for step metrics and rollback events: samples per second and loss smoothed
 * exponentially, and the wall time since the first minibatch, on an injected monotonic clock. The speed is recent
 * samples over recent time (each smoothed), not a mean of per-minibatch rates: that mean overweights the minibatches
 * that came quickly after a wait, and showed several times the true speed of a run that waits for ingest.
 */
final class Throughput {
    private static final double SMOOTHING = 0.1;
    private final LongSupplier nanoClock;
    private long startNanos = -1;
    private long lastNanos = -1;
    private double samplesPerSecond;
    private double recentRows;
    private double recentSeconds;
    private double recentLoss = Double.NaN;

    Throughput(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Called before each minibatch; starts the clock on the first. */
    void started() {
        if (startNanos < 0) {
            startNanos = nanoClock.getAsLong();
            lastNanos = startNanos;
        }
    }

    /** Whether the first minibatch came. */
    boolean running() {
        return startNanos >= 0;
    }

    /** A minibatch of {@code rows} was computed. */
    void rows(int rows) {
        long now = nanoClock.getAsLong();
        double seconds = (now - lastNanos) / 1e9;
        boolean first = recentRows == 0;
        recentRows = first ? rows : (1 - SMOOTHING) * recentRows + SMOOTHING * rows;
        recentSeconds = first ? seconds : (1 - SMOOTHING) * recentSeconds + SMOOTHING * seconds;
        samplesPerSecond = recentRows / Math.max(1e-9, recentSeconds);
        lastNanos = now;
    }

    /** An applied update's loss. */
    void loss(double loss) {
        if (Double.isFinite(loss)) {
            recentLoss = Double.isNaN(recentLoss) ? loss : (1 - SMOOTHING) * recentLoss + SMOOTHING * loss;
        }
    }

    double samplesPerSecond() {
        return samplesPerSecond;
    }

    /** The smoothed loss of recent applied updates (NaN before the first). */
    double recentLoss() {
        return recentLoss;
    }

    /** Milliseconds since the first minibatch (0 before it). */
    long wallMillis() {
        return startNanos < 0 ? 0 : (nanoClock.getAsLong() - startNanos) / 1_000_000;
    }
}
