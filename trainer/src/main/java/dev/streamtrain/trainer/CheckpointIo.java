package dev.streamtrain.trainer;

import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The thread that writes checkpoints, so the trainer does not wait for the disk: the trainer copies what a checkpoint
 * holds, hands the write over and trains on. Writes run one at a time, in the order handed over. Up to
 * {@link #MAX_QUEUED} of them may wait, as long as the copies they hold stay within {@link #MAX_QUEUED_BYTES}: a disk
 * whose latency now and then exceeds the checkpoint cadence (an fsync behind the broker's writes took 40-380 ms on the
 * bench machine, against 83 ms between checkpoints at 600 minibatches/s) no longer stalls training, while a disk
 * slower than the cadence for good still slows training rather than piling up copies of the model in memory. The
 * budget counts the copy being written and those waiting; the trainer holds one more (the next one, handed over once
 * there is room). A model whose copy alone exceeds the budget has one write at a time, as before the queue. Every evaluation keeps its checkpoint: rollbacks and
 * restore-best depend on that. Readers of the checkpoint directory (restore, rollback, marking suspect)
 * {@link #await} every write handed over first.
 */
final class CheckpointIo implements AutoCloseable {
    /** Writes that may wait behind the one being written. */
    static final int MAX_QUEUED = 4;
    /** What the waiting writes' copies may hold in all, in bytes (64 MiB). */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    private record Write(CompletableFuture<?> done, long bytes) {
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "checkpoint-writer");
        t.setDaemon(true);
        return t;
    });
    private final ArrayDeque<Write> handedOver = new ArrayDeque<>();
    private long queuedBytes;

    /**
     * Runs a write on the checkpoint thread after those handed over before it, waiting first while the queue is full.
     *
     * @param bytes what the write's copy of the state holds (for the budget)
     * @return completes when the write is done
     */
    <T> CompletableFuture<T> submit(Callable<T> write, long bytes) {
        forgetDone();
        while (!handedOver.isEmpty()
                && (handedOver.size() > MAX_QUEUED || queuedBytes + bytes > MAX_QUEUED_BYTES)) {
            join(handedOver.peek().done());
            forgetDone();
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                done.complete(write.call());
            } catch (Exception | Error e) {
                done.completeExceptionally(e);
            }
        });
        handedOver.add(new Write(done, bytes));
        queuedBytes += bytes;
        return done;
    }

    /** Writes handed over and not done yet. */
    int pending() {
        forgetDone();
        return handedOver.size();
    }

    /** Waits until every write handed over is done, whether it succeeded or not. */
    void await() {
        Write last = handedOver.peekLast();
        if (last != null) {
            join(last.done()); // one thread, in order: the last is done after all the others
        }
        forgetDone();
    }

    private void forgetDone() {
        while (!handedOver.isEmpty() && handedOver.peek().done().isDone()) {
            queuedBytes -= handedOver.poll().bytes();
        }
    }

    private static void join(CompletableFuture<?> write) {
        try {
            write.join();
        } catch (RuntimeException e) {
            // its failure is reported by whoever asked for the write
        }
    }

    /** Finishes the writes handed over, then stops the thread. */
    @Override
    public void close() {
        await();
        thread.shutdown();
    }
}
