package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.trainer.hooks.TrainingHook;
import dev.streamtrain.trainer.hooks.Verdict;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors and rollbacks at the edges of a run (found in review): an error after an update never dead-letters trained
 * minibatches, an error while scoring is dead-lettered, a replaying rollback at the end loses nothing, and a failed
 * final checkpoint still ends the run.
 */
class FinishAndErrorPathsTest {

    /**
     * B1: an exception after the update was applied (here an afterBatch hook; in production e.g. an evaluation or
     * checkpoint error inside evaluateAndSave) reaches TrainingLoop.train's catch, and Refusals.failed dead-letters
     * the minibatch that is already in the weights and in the ledger as trained.
     */
    @Test
    void anErrorAfterTheUpdateWasAppliedDoesNotDeadLetterTheTrainedMinibatch(@TempDir Path dir) throws Exception {
        Random rnd = new Random(12);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir, ""))) {
            run.loop().addHook(new TrainingHook() {
                public Verdict afterBatch(MiniBatch b) {
                    if (b.sources().get(0).from() == 3) {
                        throw new IllegalStateException("after the update");
                    }
                    return Verdict.proceed();
                }
            });
            run.feed(rnd, 0, 6);
            run.queue().put(new EndOfStream(Map.of("t-0", 6L)));
            var done = run.events().finished.get(60, TimeUnit.SECONDS);
            var audit = done.progress().get(0);
            assertEquals(List.of(), run.events().deadLettered, "offset 3 was trained (update 4) yet dead-lettered");
            assertEquals(0, audit.duplicates());
        }
    }

    /**
     * B2: with prequential validation the minibatch is scored (a forward pass) in checkpoints.beforeTraining, which is
     * outside train()'s try: an engine error there is not dead-lettered as training_error, the record is never
     * handled and the commit stops before it for good.
     */
    @Test
    void anEngineErrorWhileScoringPrequentiallyIsDeadLettered(@TempDir Path dir) throws Exception {
        Random rnd = new Random(12);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir,
                "validation: {sources: [prequential, topic], prequential-window-rows: 64, min-rows: 1}"))) {
            run.feed(rnd, 0, 3);
            run.queue().put(new MiniBatch(2, 5, new float[10], new long[] {0, 1},
                    List.of(OffsetRange.single("t", 0, 3)))); // 5 features, model takes 4
            run.feed(rnd, 4, 2);
            run.queue().put(new EndOfStream(Map.of("t-0", 6L)));
            var done = run.events().finished.get(60, TimeUnit.SECONDS);
            var audit = done.progress().get(0);
            long commit = run.events().checkpoints.get(run.events().checkpoints.size() - 1).offsets().get(0)
                    .nextOffset();
            assertEquals(1, audit.deadLettered(), "the failing minibatch is dead-lettered (training_error)");
            assertEquals(6, commit, "the commit passes it");
        }
    }

    /**
     * B3: rollback.replay: true and a critical alert open at the end: finish() rolls back, the undone minibatches go
     * to the replay queue, but state.finished is already true so run() never retrains them; they are neither in the
     * weights nor in the dead-letter topic and the commit stops before them.
     */
    @Test
    void aRollbackWithReplayAtTheEndLeavesNoRecordUnhandled(@TempDir Path dir) throws Exception {
        Random rnd = new Random(10);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir, "rollback: {replay: true}"))) {
            run.feed(rnd, 0, 25);
            RollbackTest.await(() -> run.events().steps.size() >= 25);
            run.loop().alertRaised(new dev.streamtrain.core.events.Alert("blobs", "divergence", "critical",
                    "validation loss rising", 23, 1.0, 0));
            run.queue().put(new EndOfStream(Map.of("t-0", 25L)));
            var done = run.events().finished.get(60, TimeUnit.SECONDS);
            Thread.sleep(500);
            var audit = done.progress().get(0);
            long commit = run.events().checkpoints.get(run.events().checkpoints.size() - 1).offsets().get(0)
                    .nextOffset();
            assertEquals(25, audit.records() + audit.deadLettered(), "every record trained or dead-lettered");
            assertEquals(25, commit, "the final commit covers the run");
        }
    }

    /**
     * B4: an error in the final evaluation/checkpoint (here an afterCheckpoint hook; in production an IOException
     * writing the final checkpoint, or an evaluation engine error) escapes finish() after state.finished = true:
     * training_finished is never published and the run never ends.
     */
    @Test
    void anErrorInTheFinalCheckpointStillFinishesTheRun(@TempDir Path dir) throws Exception {
        Random rnd = new Random(12);
        try (var run = RollbackTest.Running.start(RollbackTest.config(dir, ""))) {
            run.loop().addHook(new TrainingHook() {
                public Verdict afterCheckpoint(dev.streamtrain.core.events.CheckpointSaved c) {
                    if (c.update() == 5) {
                        throw new IllegalStateException("final checkpoint failed");
                    }
                    return Verdict.proceed();
                }
            });
            run.feed(rnd, 0, 5);
            run.queue().put(new EndOfStream(Map.of("t-0", 5L)));
            boolean finished;
            try {
                run.events().finished.get(10, TimeUnit.SECONDS);
                finished = true;
            } catch (java.util.concurrent.TimeoutException e) {
                finished = false;
            }
            var reply = run.send(new dev.streamtrain.core.control.TrainerCommand.Stop("test", false));
            assertTrue(finished, "training_finished within 10 s");
        }
    }
}
