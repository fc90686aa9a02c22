package dev.streamtrain.trainer;

import dev.streamtrain.core.config.JobConfig;
import java.util.function.LongSupplier;

/**
 * When an evaluation and checkpoint are due: every {@code training.eval-every} updates, and also once
 * {@code checkpoint.every-seconds} passed since the last checkpoint (a slow stream still gets durable progress).
 */
final class CheckpointCadence {
    private final long everyUpdates;
    private final long everyNanos;
    private final LongSupplier nanoClock;
    private long lastNanos;

    /** @param nanoClock monotonic clock in nanoseconds (injected for tests) */
    CheckpointCadence(JobConfig cfg, LongSupplier nanoClock) {
        this.everyUpdates = cfg.training().evalEvery();
        this.everyNanos = cfg.checkpoint().everySeconds() * 1_000_000_000L;
        this.nanoClock = nanoClock;
        this.lastNanos = nanoClock.getAsLong();
    }

    /** Whether one is due after update {@code updates}. */
    boolean due(long updates) {
        return updates % everyUpdates == 0 || everyNanos > 0 && nanoClock.getAsLong() - lastNanos >= everyNanos;
    }

    /** A checkpoint was just saved. */
    void saved() {
        lastNanos = nanoClock.getAsLong();
    }
}
