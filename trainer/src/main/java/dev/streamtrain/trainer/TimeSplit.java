package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.events.TrainerTime;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Accumulates where the trainer thread's time goes (waiting for ingest, evaluating, checkpointing), on the injected
 * monotonic clock, for {@link TrainerTime}.
 */
final class TimeSplit {
    private final LongSupplier nanoClock;
    private long waitingNanos;
    private long evaluatingNanos;
    private long checkpointingNanos;
    private long pausedNanos;

    TimeSplit(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    long now() {
        return nanoClock.getAsLong();
    }

    /** The next item, waiting up to 20 ms for one; the wait counts once training has {@code started}. */
    <T> T poll(BackPressureQueue<T> queue, boolean started) throws InterruptedException {
        long polling = now();
        T item = queue.poll(20, TimeUnit.MILLISECONDS);
        if (started) {
            waitingNanos += now() - polling;
        }
        return item;
    }

    /** Validation sources were evaluated from {@code sinceNanos} until now. */
    void evaluated(long sinceNanos) {
        evaluatingNanos += now() - sinceNanos;
    }

    /** The trainer thread worked on a checkpoint from {@code sinceNanos} until now. */
    void checkpointed(long sinceNanos) {
        checkpointingNanos += now() - sinceNanos;
    }

    /** The loop was paused by a command from {@code sinceNanos} until now. */
    void paused(long sinceNanos) {
        pausedNanos += now() - sinceNanos;
    }

    /** The split of {@code wallMillis}, which must be taken now (after every part it includes). */
    TrainerTime of(long wallMillis) {
        return new TrainerTime(wallMillis, waitingNanos / 1_000_000, evaluatingNanos / 1_000_000,
                checkpointingNanos / 1_000_000, pausedNanos / 1_000_000);
    }
}
