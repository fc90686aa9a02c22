package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.trainer.hooks.GradientEvent;
import dev.streamtrain.trainer.hooks.LossEvent;
import dev.streamtrain.trainer.hooks.StepEvent;
import dev.streamtrain.trainer.hooks.TrainingHook;
import dev.streamtrain.trainer.hooks.Verdict;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop raises its named events in order, and a hook's verdict cancels a batch or ends the run. */
class HookEventsTest {
    @Test
    void eventsComeInOrderAndAHookCanCancelABatchOrEndTheRun(@TempDir Path dir) throws Exception {
        var cfg = RollbackTest.config(dir, "training: {eval-every: 3, log-every: 1}");
        List<String> seen = new CopyOnWriteArrayList<>();
        TrainingHook recorder = new TrainingHook() {
            public Verdict beforeBatch(MiniBatch b) {
                seen.add("beforeBatch");
                // a hook that drops one minibatch (offset 1): not trained, dead-lettered with its reason
                return b.sources().get(0).from() == 1 ? Verdict.cancelBatch("test_hook", 0) : Verdict.proceed();
            }

            public Verdict afterLoss(LossEvent e) {
                seen.add("afterLoss");
                return Verdict.proceed();
            }

            public Verdict afterBackward(GradientEvent e) {
                seen.add("afterBackward");
                return Verdict.proceed();
            }

            public Verdict afterStep(StepEvent e) {
                seen.add("afterStep");
                return Verdict.proceed();
            }

            public Verdict afterBatch(MiniBatch b) {
                seen.add("afterBatch");
                return Verdict.proceed();
            }

            public Verdict afterValidate(ValidationMetrics m) {
                seen.add("afterValidate");
                return m.update() >= 6 ? Verdict.cancelRun("enough at update " + m.update()) : Verdict.proceed();
            }

            public Verdict afterCheckpoint(CheckpointSaved c) {
                seen.add("afterCheckpoint");
                return Verdict.proceed();
            }
        };
        var queue = new BackPressureQueue<BatchQueueItem>(1000, 500);
        Random rnd = new Random(15);
        for (int i = 0; i < 20; i++) {
            queue.put(TrainingLoopTest.blobs(rnd, 16, "t", i));
        }
        queue.put(new EndOfStream(Map.of("t-0", 20L)));
        var validation = new ValidationSet(100);
        validation.add(TrainingLoopTest.blobs(new Random(16), 30, "v", 0));
        var events = new TrainingLoopTest.Recorder();
        TrainingLoop loop = new TrainingLoop(cfg, queue, validation, events, System::nanoTime);
        loop.addHook(recorder);
        Thread t = new Thread(loop::run);
        t.start();
        try {
            var done = events.finished.get(60, TimeUnit.SECONDS);
            assertEquals("cancelled: enough at update 6", done.stopReason());
            assertEquals(6, done.updates(), "7 minibatches, one cancelled by the hook");
            assertEquals(1, done.progress().get(0).deadLettered());
            assertEquals("test_hook", events.deadLettered.get(0).reason());
            assertEquals(List.of("afterCheckpoint", "beforeBatch", "afterLoss", "afterBackward", "afterStep",
                    "afterBatch", "beforeBatch", "afterBatch"), seen.subList(0, 8),
                    "the initial checkpoint, a trained minibatch, then the cancelled one");
            int validate = seen.indexOf("afterValidate");
            assertEquals(List.of("afterStep", "afterValidate"), seen.subList(validate - 1, validate + 1),
                    "every eval-every updates, inside the update's batch");
            assertTrue(seen.subList(validate, seen.size()).contains("afterCheckpoint"),
                    "then the checkpoint, announced once the checkpoint thread made it durable: " + seen);
            assertTrue(seen.stream().filter("beforeBatch"::equals).count() <= 8, "the run ended early: " + seen);
        } finally {
            loop.stop();
            t.join();
            loop.close();
        }
    }
}
