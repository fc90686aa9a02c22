package dev.streamtrain.trainer;

import java.util.function.LongSupplier;

/**
 * Training speed and the recent loss, for step metrics and rollback events: samples per second and loss smoothed
 * exponentially, and the wall time since the first minibatch, on an injected monotonic clock.
 */
final class Throughput {
    private static final double SMOOTHING = 0.1;
    private final LongSupplier nanoClock;
    private long startNanos = -1;
    private long lastNanos = -1;
    private double samplesPerSecond;
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

    /** A minibatch of {@code rows} was computed. */
    void rows(int rows) {
        long now = nanoClock.getAsLong();
        double instant = rows / Math.max(1e-9, (now - lastNanos) / 1e9);
        samplesPerSecond = samplesPerSecond == 0 ? instant
                : (1 - SMOOTHING) * samplesPerSecond + SMOOTHING * instant;
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
