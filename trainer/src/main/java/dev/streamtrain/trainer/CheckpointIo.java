package dev.streamtrain.trainer;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The thread that writes checkpoints, so the trainer does not wait for the disk: the trainer copies what a checkpoint
 * holds, hands the write over and trains on. One write is in flight at most: the next one waits for it, so a disk
 * slower than the checkpoint cadence slows training instead of piling up copies of the model in memory (and every
 * evaluation keeps its checkpoint: rollbacks and restore-best depend on that). Readers of the checkpoint directory
 * (restore, rollback, marking suspect) {@link #await} the write in flight first.
 */
final class CheckpointIo implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "checkpoint-writer");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

    /** Runs a write on the checkpoint thread (after the one in flight); the future completes when it is done. */
    <T> CompletableFuture<T> submit(Callable<T> write) {
        await();
        CompletableFuture<T> done = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                done.complete(write.call());
            } catch (Exception | Error e) {
                done.completeExceptionally(e);
            }
        });
        inFlight = done;
        return done;
    }

    /** Waits until the write in flight (if any) is done, whether it succeeded or not. */
    void await() {
        try {
            inFlight.join();
        } catch (RuntimeException e) {
            // its failure is reported by whoever asked for the write
        }
    }

    /** Finishes the write in flight, then stops the thread. */
    @Override
    public void close() {
        await();
        thread.shutdown();
    }
}
