package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.events.ExternalMetric;
import dev.streamtrain.core.events.ValidationMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prequential and external metrics drive the rate control; every source is published with its metrics. */
class ValidationSourcesTest {
    private static final String PLATEAU = """
            schedule: {scheduler: ReduceLROnPlateau, params: {patience: 0, threshold: 0.5, factor: 0.5}}
            """;

    @Test
    void prequentialScoresEachMinibatchBeforeTrainingAndDrivesThePlateauControl(@TempDir Path dir) throws Exception {
        var cfg = RollbackTest.config(dir, PLATEAU + """
                validation: {sources: [prequential, topic], top-k: 2, prequential-window-rows: 64, min-rows: 32}
                """);
        Random rnd = new Random(11);
        try (var run = RollbackTest.Running.start(cfg)) {
            run.feed(rnd, 0, 40);
            run.queue().put(new EndOfStream(Map.of("t-0", 40L)));
            run.events().finished.get(120, TimeUnit.SECONDS);
            List<ValidationMetrics> pre = run.events().validations.stream()
                    .filter(v -> v.source().equals("prequential")).toList();
            List<ValidationMetrics> topic = run.events().validations.stream()
                    .filter(v -> v.source().equals("topic")).toList();
            assertEquals(4, pre.size(), "every 10 updates");
            assertEquals(4, topic.size());
            assertEquals(64, pre.get(0).rows(), "the newest 64 rows scored");
            assertTrue(pre.get(0).counted());
            assertTrue(topic.get(0).metrics().containsKey("top2_accuracy"), topic.get(0).metrics().toString());
            assertTrue(pre.get(0).loss() > pre.get(3).loss(), "the model learns: " + pre);
            // the plateau rule observed the prequential loss (its threshold 0.5 makes most evaluations "bad")
            assertTrue(!run.events().lrChanges.isEmpty());
            for (var change : run.events().lrChanges) {
                double observed = pre.stream().filter(v -> v.update() == change.update()).findFirst().orElseThrow()
                        .loss();
                assertEquals(observed, change.metric(), 1e-12, "the driving source is the prequential one");
            }
        }
    }

    @Test
    void anExternalMetricDrivesThePlateauControlWhenCounted(@TempDir Path dir) throws Exception {
        var cfg = RollbackTest.config(dir, PLATEAU + """
                validation: {sources: [external], min-rows: 100}
                """);
        try (var run = RollbackTest.Running.start(cfg)) {
            run.feed(new Random(12), 0, 5);
            RollbackTest.await(() -> run.events().steps.size() >= 5);
            run.loop().externalMetric(new ExternalMetric("blobs", "val_loss", 1.0, 500, -1, 0));
            run.loop().externalMetric(new ExternalMetric("blobs", "val_loss", 2.0, 10, -1, 0)); // too few rows
            run.loop().externalMetric(new ExternalMetric("blobs", "val_auc", 0.5, 500, -1, 0)); // another metric
            run.loop().externalMetric(new ExternalMetric("blobs", "val_loss", 1.0, 500, -1, 0));
            RollbackTest.await(() -> run.events().lrChanges.size() >= 1);
            Thread.sleep(100);
            assertEquals(1, run.events().lrChanges.size(), "one counted non-improvement, patience 0: one reduction");
            assertEquals(1.0, run.events().lrChanges.get(0).metric());
            assertTrue(run.events().validations.isEmpty(), "the trainer evaluates nothing itself");
        }
    }

    @Test
    void restoreBestJudgesCheckpointsByExternalMetricsCreditedToTheirUpdate(@TempDir Path dir) throws Exception {
        var cfg = RollbackTest.config(dir, """
                validation: {sources: [external]}
                early-stopping: {monitor: revenue_loss, restore_best: true}
                checkpoint: {keep: 5}
                """);
        try (var run = RollbackTest.Running.start(cfg)) {
            run.feed(new Random(14), 0, 30);
            RollbackTest.await(() -> run.events().checkpoints.size() >= 4); // 0, 10, 20, 30
            // late labels: metrics of updates 10, 20 and 30 arrive after all three were trained
            run.loop().externalMetric(new ExternalMetric("blobs", "revenue_loss", 5.0, 100, 10, 0));
            run.loop().externalMetric(new ExternalMetric("blobs", "revenue_loss", 3.0, 100, 20, 0));
            run.loop().externalMetric(new ExternalMetric("blobs", "revenue_loss", 4.0, 100, 30, 0));
            var reply = run.send(new dev.streamtrain.core.control.TrainerCommand.Stop("early_stopping: test", true));
            assertTrue(reply instanceof dev.streamtrain.core.control.CommandReply.Accepted, reply.toString());
            var done = run.events().finished.get(60, TimeUnit.SECONDS);
            assertTrue(done.checkpoint().endsWith("ckpt-000000000020"), "the best by revenue_loss: " + done.checkpoint());
            assertEquals(3.0, done.validation().metric("revenue_loss"));
        }
    }
}
