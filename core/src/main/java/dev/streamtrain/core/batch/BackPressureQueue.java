package dev.streamtrain.core.batch;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hand-off between ingest (producer side, on the event loop) and the trainer (consumer side, its own thread).
 *
 * <p>{@link #put} never blocks, because the event loop must not: it accepts items past the high-water mark (records
 * already fetched keep arriving after a pause) and returns whether the producer should pause now. When the consumer
 * drains the queue to the low-water mark while paused, the resume callback fires once.
 *
 * @param <T> item type
 */
public final class BackPressureQueue<T> {
    private final LinkedBlockingQueue<T> items = new LinkedBlockingQueue<>();
    private final int highWater;
    private final int lowWater;
    private final AtomicBoolean paused = new AtomicBoolean();
    private volatile Runnable onResume = () -> { };

    /**
     * @param highWater the producer should pause once this many items wait
     * @param lowWater the producer may resume once at most this many items wait
     */
    public BackPressureQueue(int highWater, int lowWater) {
        if (highWater < 1 || lowWater < 0 || lowWater >= highWater) {
            throw new IllegalArgumentException("need highWater >= 1 and 0 <= lowWater < highWater, got high="
                    + highWater + " low=" + lowWater);
        }
        this.highWater = highWater;
        this.lowWater = lowWater;
    }

    /** Sets what runs (on the consumer's thread) when a paused producer may resume. */
    public void onResume(Runnable callback) {
        this.onResume = callback;
    }

    /**
     * Adds an item.
     *
     * @return true when the producer should pause (the queue is at or above the high-water mark)
     */
    public boolean put(T item) {
        items.add(item);
        if (items.size() >= highWater) {
            paused.set(true);
            return true;
        }
        return false;
    }

    /** Takes the next item, waiting up to the timeout; null when none arrived. */
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        T item = items.poll(timeout, unit);
        if (item != null && items.size() <= lowWater && paused.compareAndSet(true, false)) {
            onResume.run();
        }
        return item;
    }

    /** Items waiting now. */
    public int size() {
        return items.size();
    }

    /** Whether the producer was told to pause and has not been resumed yet. */
    public boolean isPaused() {
        return paused.get();
    }
}
