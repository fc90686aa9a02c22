package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.checkpoint.Lineage;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.TrainingPosition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints queued behind a slow write ({@link CheckpointIo}): pruning never counts a checkpoint that is not on
 * disk yet, and a checkpoint whose parent could not be written is not written either, so the lineage stays a chain.
 */
@Timeout(120)
class QueuedCheckpointsTest {

    /**
     * keep: 1. W (good) is on disk; a critical alert makes A suspect; B (good) waits behind A. Writing A must not
     * prune W: until B is on disk, W is the only good checkpoint a crash or a failed write of B could fall back on.
     */
    @Test
    void aQueuedGoodCheckpointDoesNotLetASuspectOnePruneTheLastGoodOneOnDisk(@TempDir Path dir) throws Exception {
        JobConfig cfg = config(dir, 1);
        try (var parts = parts(cfg)) {
            var store = new StateStore(cfg.checkpoint(), cfg.model(), parts, cfg.earlyStopping());
            CheckpointManifest w = manifest(10, null);
            join(save(store, parts, 10, true, w));
            var holdB = new CountDownLatch(1);
            var a = save(store, parts, 20, false, manifest(20, w.id()));
            store.io().submit(() -> {
                holdB.await();
                return null;
            }, 0);
            var b = save(store, parts, 30, true, manifest(30, w.id()));
            join(a);
            assertTrue(Files.exists(store.dirFor(10)), "the last good checkpoint on disk is kept while B waits");
            holdB.countDown();
            join(b);
            store.awaitWrites();
            assertFalse(Files.exists(store.dirFor(10)), "once B is on disk, keep: 1 prunes W");
            assertTrue(Files.exists(store.dirFor(30)));
            store.close();
        }
    }

    /**
     * A fails (its lineage cannot be appended); B, handed over behind it and naming A as its parent, fails unwritten;
     * C, handed over after the failure was learnt and naming W, is written, and its lineage is W then C.
     */
    @Test
    void aCheckpointAfterOneThatFailedIsNotWritten(@TempDir Path dir) throws Exception {
        JobConfig cfg = config(dir, 2);
        try (var parts = parts(cfg)) {
            var store = new StateStore(cfg.checkpoint(), cfg.model(), parts, cfg.earlyStopping());
            CheckpointManifest w = manifest(10, null);
            join(save(store, parts, 10, true, w));
            Path lineage = cfg.checkpoint().dir().resolve(Lineage.FILE);
            Path kept = Files.move(lineage, dir.resolve("lineage-aside"));
            Files.createDirectories(lineage); // the log cannot be appended to: A's write fails
            CheckpointManifest a = manifest(20, w.id());
            var failedA = save(store, parts, 20, true, a);
            store.io().submit(() -> { // the disk is fine again before B's turn: only its parent's failure stops it
                Files.delete(lineage);
                return Files.move(kept, lineage);
            }, 0);
            var failedB = save(store, parts, 30, true, manifest(30, a.id()));
            store.awaitWrites();
            assertTrue(failedA.isCompletedExceptionally());
            assertTrue(failedB.isCompletedExceptionally());
            assertFalse(Files.exists(store.dirFor(30)), "B names a parent that was never written");
            CheckpointManifest c = manifest(40, w.id());
            join(save(store, parts, 40, true, c));
            assertEquals(List.of(w.id(), c.id()),
                    Lineage.chain(cfg.checkpoint().dir(), c.id()).stream().map(CheckpointManifest::id).toList());
            assertEquals(40L, store.newestGood().orElseThrow().update());
            store.close();
        }
    }

    private static JobConfig config(Path dir, int keep) {
        return dev.streamtrain.core.config.JobConfigLoader.parse("""
                job: blobs
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                checkpoint: {keep: %d}
                """.formatted(dir, keep), "test");
    }

    private static ModelParts parts(JobConfig cfg) {
        return new ModelParts(cfg, new RateControl(cfg, new RunState()).hyper(), false);
    }

    private static CompletableFuture<StateStore.Saved> save(StateStore store, ModelParts parts, long updates,
            boolean good, CheckpointManifest manifest) {
        var snapshot = parts.network.snapshot(updates);
        var state = new TrainerState(updates, updates * 32, updates / 10, List.of(), null, null, null, good, 1.0, 0,
                List.of());
        return store.save(snapshot, snapshot, state, manifest);
    }

    private static CheckpointManifest manifest(long updates, String parent) {
        return new CheckpointManifest(CheckpointManifest.FORMAT, CheckpointManifest.newId(updates), "blobs", updates,
                updates * 32, parent, System.currentTimeMillis(), true, TrainingPosition.NONE.offsets(), List.of(),
                List.of(), List.of(), null, null);
    }

    private static void join(CompletableFuture<?> write) throws Exception {
        write.get(60, TimeUnit.SECONDS);
    }
}
