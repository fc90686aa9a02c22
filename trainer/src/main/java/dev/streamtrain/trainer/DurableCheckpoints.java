package dev.streamtrain.trainer;

import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Failures;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints handed to the checkpoint thread and not yet announced: each is announced ({@code checkpoint_saved},
 * after which its offsets may be committed, and the {@code afterCheckpoint} hooks) on the trainer thread once it is
 * durable, oldest first; a failed write is reported and its failure handler runs instead. The trainer is asked to
 * announce through its command queue, which it serves between minibatches and while idle.
 */
final class DurableCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(DurableCheckpoints.class);

    /** A write (the checkpoint thread's own future: done exactly when the write is), what to announce, what undo. */
    private record Pending(CompletableFuture<?> write, CheckpointSaved saved, Runnable onFailure, long startedNanos,
            java.util.concurrent.atomic.AtomicLong doneNanos) {
        CheckpointSaved timed() {
            return saved.withWriteMillis((doneNanos.get() - startedNanos) / 1_000_000);
        }
    }

    private final ArrayDeque<Pending> writing = new ArrayDeque<>();
    private final TrainerEvents events;
    private final dev.streamtrain.trainer.hooks.Hooks hooks;

    DurableCheckpoints(TrainerEvents events, dev.streamtrain.trainer.hooks.Hooks hooks) {
        this.events = events;
        this.hooks = hooks;
    }

    /**
     * A checkpoint being written: once {@code write} is done, {@code onTrainerThread} is given {@code announce} to
     * run; {@code onFailure} runs (on the trainer thread) if the write failed.
     */
    void add(CompletableFuture<?> write, CheckpointSaved saved, Runnable onFailure,
            java.util.Queue<Runnable> onTrainerThread, Runnable announce) {
        var doneNanos = new java.util.concurrent.atomic.AtomicLong();
        writing.add(new Pending(write, saved, onFailure, System.nanoTime(), doneNanos));
        write.whenComplete((done, failed) -> {
            doneNanos.set(System.nanoTime()); // the write's own end, not the announcement's
            onTrainerThread.add(announce);
        });
    }

    /**
     * Announces the checkpoints written since the last call (on the trainer thread).
     *
     * @return false when one of them could not be written
     */
    boolean announce() {
        boolean ok = true;
        while (!writing.isEmpty() && writing.peek().write().isDone()) {
            Pending p = writing.poll();
            try {
                p.write().join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                LOG.error("the checkpoint at update {} could not be written ({}); the previous one stays the newest",
                        p.saved().update(), Failures.describe(e.getCause() == null ? e : e.getCause()));
                p.onFailure().run();
                ok = false;
                continue;
            }
            try {
                CheckpointSaved saved = p.timed();
                events.checkpointSaved(saved);
                hooks.afterCheckpoint(saved);
            } catch (RuntimeException e) { // a listener's failure is not the checkpoint's
                LOG.error("announcing the checkpoint at update {} failed: {}", p.saved().update(),
                        Failures.describe(e));
            }
        }
        return ok;
    }
}
