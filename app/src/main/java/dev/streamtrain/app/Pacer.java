package dev.streamtrain.app;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Paces work to a rate: the n-th {@link #acquire()} returns no earlier than {@code n / perSecond} seconds after the
 * first. The clock and the wait are injected, so tests run without sleeping.
 */
public final class Pacer {
    private final double perSecond;
    private final LongSupplier nanoClock;
    private final LongConsumer waitNanos;
    private long start = -1;
    private long permits;

    /**
     * @param perSecond permits per second (> 0)
     * @param nanoClock monotonic clock in nanoseconds
     * @param waitNanos blocks for the given nanoseconds
     */
    public Pacer(double perSecond, LongSupplier nanoClock, LongConsumer waitNanos) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be > 0 per second, got " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        this.waitNanos = waitNanos;
    }

    /** A pacer on the system clock. */
    public static Pacer perSecond(double rate) {
        return new Pacer(rate, System::nanoTime, java.util.concurrent.locks.LockSupport::parkNanos);
    }

    /** Waits until the next permit is due. */
    public void acquire() {
        long now = nanoClock.getAsLong();
        if (start < 0) {
            start = now;
        }
        long due = start + (long) (permits++ * 1e9 / perSecond);
        while (now < due) {
            waitNanos.accept(due - now);
            now = nanoClock.getAsLong();
        }
    }
}
