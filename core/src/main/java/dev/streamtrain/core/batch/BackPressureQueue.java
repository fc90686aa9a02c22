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
 * <p>The read-ahead can also be bounded by size: with a byte budget, the producer pauses once the items' weight
 * reaches it, and resumes only when both the count and the weight are down to half (hysteresis: a pause is followed
 * by a long run of reading, not by a resume one item later).
 *
 * @param <T> item type
 */
public final class BackPressureQueue<T> {
    private final LinkedBlockingQueue<T> items = new LinkedBlockingQueue<>();
    private final int highWater;
    private final int lowWater;
    private final AtomicBoolean paused = new AtomicBoolean();
    private final long highBytes;
    private final java.util.function.ToLongFunction<T> weigher;
    private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile Runnable onResume = () -> { };

    /**
     * @param highWater the producer should pause once this many items wait
     * @param lowWater the producer may resume once at most this many items wait
     */
    public BackPressureQueue(int highWater, int lowWater) {
        this(highWater, lowWater, Long.MAX_VALUE, item -> 0);
    }

    /**
     * @param highWater the producer should pause once this many items wait
     * @param lowWater the producer may resume once at most this many items wait (and half the budget)
     * @param highBytes the producer should pause once the waiting items weigh this many bytes
     * @param weigher an item's weight in bytes
     */
    public BackPressureQueue(int highWater, int lowWater, long highBytes, java.util.function.ToLongFunction<T> weigher) {
        if (highWater < 1 || lowWater < 0 || lowWater >= highWater || highBytes < 1) {
            throw new IllegalArgumentException("need highWater >= 1, 0 <= lowWater < highWater and highBytes >= 1,"
                    + " got high=" + highWater + " low=" + lowWater + " bytes=" + highBytes);
        }
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.highBytes = highBytes;
        this.weigher = weigher;
    }

    /** Sets what runs (on the consumer's thread) when a paused producer may resume. */
    public void onResume(Runnable callback) {
        this.onResume = callback;
    }

    /**
     * Adds an item.
     *
     * @return true when the producer should pause: the queue holds {@code highWater} items, or more than one item and
     *     at least the byte budget (one item over the budget alone never stops the reading)
     */
    public boolean put(T item) {
        long weight = bytes.addAndGet(weigher.applyAsLong(item));
        int waiting = items.size() + 1;
        boolean full = waiting >= highWater || waiting > 1 && weight >= highBytes;
        if (full) {
            paused.set(true); // before the item is visible: a consumer that takes it sees the pause and resumes
        }
        items.add(item);
        return full;
    }

    /** Takes the next item, waiting up to the timeout; null when none arrived. */
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        T item = items.poll(timeout, unit);
        if (item == null) {
            if (paused.get() && items.isEmpty() && paused.compareAndSet(true, false)) {
                onResume.run(); // (a safety net: an empty queue never stays paused)
            }
            return null;
        }
        long weight = bytes.addAndGet(-weigher.applyAsLong(item));
        if (items.size() <= lowWater && weight <= highBytes / 2 && paused.compareAndSet(true, false)) {
            onResume.run();
        }
        return item;
    }

    /** The waiting items' weight in bytes (0 without a weigher). */
    public long bytes() {
        return bytes.get();
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
