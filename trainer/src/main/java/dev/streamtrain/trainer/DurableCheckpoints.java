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
 * durable, oldest first; a failed write is reported instead. The trainer is asked to announce through its command
 * queue, which it serves between minibatches and while idle.
 */
final class DurableCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(DurableCheckpoints.class);
    private final ArrayDeque<CompletableFuture<CheckpointSaved>> writing = new ArrayDeque<>();
    private final TrainerEvents events;
    private final dev.streamtrain.trainer.hooks.Hooks hooks;

    DurableCheckpoints(TrainerEvents events, dev.streamtrain.trainer.hooks.Hooks hooks) {
        this.events = events;
        this.hooks = hooks;
    }

    /**
     * A checkpoint being written: {@code saving} completes with its announcement once it is durable, and then
     * {@code onTrainerThread} is given {@code announce} to run.
     */
    void add(CompletableFuture<CheckpointSaved> saving, java.util.Queue<Runnable> onTrainerThread, Runnable announce) {
        writing.add(saving);
        saving.whenComplete((done, failed) -> onTrainerThread.add(announce));
    }

    /**
     * Announces the checkpoints written since the last call (on the trainer thread).
     *
     * @return false when one of them could not be written
     */
    boolean announce() {
        boolean ok = true;
        while (!writing.isEmpty() && writing.peek().isDone()) {
            var done = writing.poll();
            try {
                CheckpointSaved saved = done.join();
                events.checkpointSaved(saved);
                try {
                    hooks.afterCheckpoint(saved);
                } catch (RuntimeException e) { // a hook's failure is not the checkpoint's
                    LOG.error("a hook failed after the checkpoint at update {}: {}", saved.update(),
                            Failures.describe(e));
                }
            } catch (CompletionException e) {
                LOG.error("a checkpoint could not be written ({}); the previous one stays the newest",
                        Failures.describe(e.getCause()));
                ok = false;
            }
        }
        return ok;
    }
}
