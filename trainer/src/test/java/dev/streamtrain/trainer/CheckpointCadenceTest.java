package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.checkpoint.Lineage;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.CheckpointSaved;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints by time as well as by updates, and the best ones kept. */
class CheckpointCadenceTest {
    private static JobConfig config(Path dir, String checkpoint, int evalEvery) {
        return JobConfigLoader.parse("""
                job: cadence
                work-dir: %s
                model: {inputs: 4, hidden: [16], classes: 3}
                optimizer: {name: SGD, params: {lr: 0.3, momentum: 0.9}}
                training: {eval-every: %d}
                checkpoint: %s
                """.formatted(dir, evalEvery, checkpoint), "test");
    }

    @Test
    void everySecondsCheckpointsASlowStream(@TempDir Path dir)
            throws Exception {
        AtomicLong now = new AtomicLong();
        // a clock a test moves: every reading advances it by 0.1 s, so a few seconds pass between updates
        var events = ResumeTest.run(config(dir, "{every-seconds: 2, keep: 1000}", 1000), TricksInTrainingTest.stream(40, 16, 3),
                new ArrayList<>(), false, () -> now.addAndGet(100_000_000L));
        List<Long> updates = events.checkpoints.stream().map(CheckpointSaved::update).toList();
        assertTrue(updates.size() > 3 && updates.stream().anyMatch(u -> u % 1000 != 0 && u < 40),
                "checkpoints by time, not only every 1000 updates: " + updates);
        assertEquals(updates.stream().sorted().distinct().toList(), updates.stream().distinct().toList(),
                "in order (the end announces the last one again when nothing came after it)");

        var none = ResumeTest.run(config(dir.resolve("b"), "{}", 1000), TricksInTrainingTest.stream(40, 16, 3),
                new ArrayList<>(), false, () -> now.addAndGet(100_000_000L));
        assertEquals(List.of(0L, 40L), none.checkpoints.stream().map(CheckpointSaved::update).toList(),
                "without every-seconds: the first state and the end only");
    }

    @Test
    void keepBestKeepsTheBestCheckpointsByTheMetricBesideTheNewest(@TempDir Path dir) throws Exception {
        var events = ResumeTest.run(config(dir, "{keep: 1, keep-best: 2}", 4), TricksInTrainingTest.stream(60, 16, 5),
                new ArrayList<>(), false);
        Path root = Path.of(events.finished.get().checkpoint()).getParent();
        List<Path> kept = CheckpointWriter.all(root);
        var chain = Lineage.chainTo(Path.of(events.finished.get().checkpoint()));
        var bestTwo = chain.stream().filter(m -> m.validation() != null)
                .sorted(Comparator.comparingDouble(m -> m.validation().loss())).limit(2).map(m -> m.update()).toList();
        List<Long> expected = new ArrayList<>(bestTwo);
        if (!expected.contains(60L)) {
            expected.add(60L);
        }
        assertEquals(expected.stream().sorted().toList(), kept.stream()
                .map(p -> Long.parseLong(p.getFileName().toString().substring(5))).sorted().toList(),
                "the newest and the two best by validation loss (all: " + chain.stream().map(m -> m.update() + ":"
                        + (m.validation() == null ? "-" : m.validation().loss())).toList() + ")");
    }
}
