package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stopped trainer resumes from its newest checkpoint exactly as if it had never stopped. */
class ResumeTest {
    static JobConfig config(Path dir, String model) {
        return JobConfigLoader.parse("""
                job: resume
                work-dir: %s
                model: %s
                optimizer: {name: SGD, params: {lr: 0.1, momentum: 0.9, weight_decay: 0.001}}
                schedule:
                  scheduler: ReduceLROnPlateau
                  params: {patience: 0, threshold: 0.3, factor: 0.5,
                           schedule: {scheduler: CosineAnnealingLR, params: {T_max: 60}}}
                tricks: {ema-decay: 0.8}
                training: {eval-every: 20, log-every: 1}
                """.formatted(dir, model), "test");
    }

    /**
     * Runs a bounded training loop on {@code batches} (validation: 30 blob rows) until it finishes; the offsets it
     * resumed from are added to {@code resumed}.
     */
    static TrainingLoopTest.Recorder run(JobConfig cfg, List<MiniBatch> batches, List<Object> resumed) throws Exception {
        return run(cfg, batches, resumed, false);
    }

    /** As above; {@code fp16OnCpu} runs the fp16 mixed-precision path on the CPU. */
    static TrainingLoopTest.Recorder run(JobConfig cfg, List<MiniBatch> batches, List<Object> resumed,
            boolean fp16OnCpu) throws Exception {
        return run(cfg, batches, resumed, fp16OnCpu, System::nanoTime);
    }

    /** As above, on the given monotonic clock (nanoseconds). */
    static TrainingLoopTest.Recorder run(JobConfig cfg, List<MiniBatch> batches, List<Object> resumed,
            boolean fp16OnCpu, java.util.function.LongSupplier nanoClock) throws Exception {
        ValidationSet validation = new ValidationSet(1000);
        validation.add(TrainingLoopTest.blobs(new Random(3), 30, "v", 0));
        BackPressureQueue<BatchQueueItem> queue = new BackPressureQueue<>(100_000, 1);
        batches.forEach(queue::put);
        queue.put(new EndOfStream(Map.of()));
        var events = new TrainingLoopTest.Recorder();
        TrainingLoop loop = new TrainingLoop(cfg, queue, validation, new ValidationSet(1), events, nanoClock,
                fp16OnCpu);
        resumed.addAll(loop.resumePosition().offsets());
        Thread thread = new Thread(loop::run);
        thread.start();
        try {
            events.finished.get(120, TimeUnit.SECONDS);
            return events;
        } finally {
            loop.stop();
            thread.join();
            loop.close();
        }
    }

    @Test
    void stoppingAndResumingEqualsTrainingStraightThrough(@TempDir Path dir) throws Exception {
        List<MiniBatch> data = TricksInTrainingTest.stream(60, 16, 21);
        String model = "{inputs: 4, hidden: [16], classes: 3}";
        List<Object> none = new java.util.ArrayList<>();
        TrainingFinished straight = run(config(dir.resolve("straight"), model), data, none).finished.get();

        JobConfig cfg = config(dir.resolve("resumed"), model);
        List<Object> firstOffsets = new java.util.ArrayList<>();
        TrainingFinished first = run(cfg, data.subList(0, 40), firstOffsets).finished.get();
        assertEquals(List.of(), firstOffsets, "a new model starts from the topic's committed offsets");
        assertEquals(40, first.updates());
        List<Object> resumedAt = new java.util.ArrayList<>();
        var second = run(cfg, data.subList(40, 60), resumedAt);
        TrainingFinished done = second.finished.get();
        assertEquals(List.of(new dev.streamtrain.core.events.PartitionOffset("t", 0, 40)), resumedAt,
                "ingest is told to continue after the last checkpointed record");
        assertEquals(60, done.updates());
        assertEquals(41, second.steps.get(0).update(), "counters continue");
        assertEquals(20, done.progress().get(0).records(), "the audit counts this run's records");

        ModelSnapshot a = ModelSnapshotFiles.read(Path.of(straight.checkpoint()));
        ModelSnapshot b = ModelSnapshotFiles.read(Path.of(done.checkpoint()));
        double diff = TricksInTrainingTest.maxAbsDiff(a, b);
        assertTrue(diff < 1e-6, "weights, momentum, plateau state and schedule all resumed exactly: " + diff);
        assertEquals(CheckpointWriter.readWeightAverage(Path.of(straight.checkpoint())),
                CheckpointWriter.readWeightAverage(Path.of(done.checkpoint())), "the weight average resumed too");
        assertEquals(CheckpointWriter.readState(Path.of(straight.checkpoint())).lrControl(),
                CheckpointWriter.readState(Path.of(done.checkpoint())).lrControl());
    }

    @Test
    void aDamagedCheckpointIsSkippedAHalfWrittenOneIsCleanedAndTheLineageShowsEachRecordTrainedOnce(@TempDir Path dir)
            throws Exception {
        List<MiniBatch> data = TricksInTrainingTest.stream(60, 16, 21);
        String model = "{inputs: 4, hidden: [16], classes: 3}";
        TrainingFinished straight = run(config(dir.resolve("straight"), model), data, new java.util.ArrayList<>())
                .finished.get();

        JobConfig cfg = config(dir.resolve("damaged"), model);
        TrainingFinished first = run(cfg, data.subList(0, 40), new java.util.ArrayList<>()).finished.get();
        Path root = Path.of(first.checkpoint()).getParent();
        Path newest = Path.of(first.checkpoint());
        assertEquals(List.of(), dev.streamtrain.core.checkpoint.CheckpointManifest.problems(newest));
        // bit rot in the newest checkpoint's optimizer buffers; a crash left another checkpoint half written
        Path optimizer = newest.resolve(CheckpointWriter.OPTIMIZER_FILE);
        byte[] bytes = java.nio.file.Files.readAllBytes(optimizer);
        bytes[bytes.length - 1] ^= 0x55;
        java.nio.file.Files.write(optimizer, bytes);
        assertEquals(List.of(CheckpointWriter.OPTIMIZER_FILE + " does not match its checksum"),
                dev.streamtrain.core.checkpoint.CheckpointManifest.problems(newest));
        Path halfWritten = java.nio.file.Files.createDirectories(root.resolve(".ckpt-000000000050.tmp-1"));
        java.nio.file.Files.write(halfWritten.resolve(CheckpointWriter.STATE_FILE), new byte[] {'{'});

        List<Object> resumedAt = new java.util.ArrayList<>();
        TrainingFinished done = run(cfg, data.subList(20, 60), resumedAt).finished.get();
        assertEquals(List.of(new dev.streamtrain.core.events.PartitionOffset("t", 0, 20)), resumedAt,
                "resumed from the previous good checkpoint");
        assertTrue(java.nio.file.Files.notExists(halfWritten), "what a crash left half written is removed");
        assertEquals(60, done.updates());
        double diff = TricksInTrainingTest.maxAbsDiff(ModelSnapshotFiles.read(Path.of(straight.checkpoint())),
                ModelSnapshotFiles.read(Path.of(done.checkpoint())));
        assertTrue(diff < 1e-6, "the same model as a run that never stopped: " + diff);

        var chain = dev.streamtrain.core.checkpoint.Lineage.chainTo(Path.of(done.checkpoint()));
        assertEquals(List.of(0L, 20L, 40L, 60L), chain.stream().map(m -> m.update()).toList(),
                "the rewritten ckpt-40 descends from ckpt-20; the damaged one is left behind");
        var audit = dev.streamtrain.core.checkpoint.Lineage.audit(chain);
        assertEquals(List.of(new dev.streamtrain.core.checkpoint.Lineage.Audit("t-0", 60, 0, 0, List.of())), audit,
                "each of the 60 records trained exactly once, no gap");
    }

    @Test
    void aFullDiskFailsCheckpointsWithoutLosingThePreviousOneAndTheRunResumesFromIt(@TempDir Path dir)
            throws Exception {
        Path full = Path.of("/dev/full"); // every write to it fails with ENOSPC, as on a full disk
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isWritable(full), "needs /dev/full");
        List<MiniBatch> data = TricksInTrainingTest.stream(60, 16, 21);
        String model = "{inputs: 4, hidden: [16], classes: 3}";
        TrainingFinished straight = run(config(dir.resolve("straight"), model), data, new java.util.ArrayList<>())
                .finished.get();

        JobConfig cfg = config(dir.resolve("full"), model);
        Path root = Path.of(run(cfg, data.subList(0, 40), new java.util.ArrayList<>()).finished.get().checkpoint())
                .getParent();
        Path lineage = root.resolve(dev.streamtrain.core.checkpoint.Lineage.FILE);
        Path kept = java.nio.file.Files.move(lineage, root.resolve("lineage.kept"));
        java.nio.file.Files.createSymbolicLink(lineage, full); // the disk fills up
        TrainingFinished stuck = run(cfg, data.subList(40, 60), new java.util.ArrayList<>()).finished.get();
        assertEquals(root.resolve("ckpt-000000000040").toString(), stuck.checkpoint(),
                "no checkpoint could be written: the run ends on the last one that was");
        try (var listing = java.nio.file.Files.list(root)) {
            assertEquals(List.of(), listing.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
                    "nothing half-written is left behind");
        }
        assertEquals(List.of(), dev.streamtrain.core.checkpoint.CheckpointManifest.problems(
                root.resolve("ckpt-000000000040")));

        java.nio.file.Files.delete(lineage); // space again
        java.nio.file.Files.move(kept, lineage);
        List<Object> resumedAt = new java.util.ArrayList<>();
        TrainingFinished done = run(cfg, data.subList(40, 60), resumedAt).finished.get();
        assertEquals(List.of(new dev.streamtrain.core.events.PartitionOffset("t", 0, 40)), resumedAt);
        assertEquals(60, done.updates());
        assertTrue(ModelSnapshotFiles.read(Path.of(straight.checkpoint())).maxAbsDiff(
                ModelSnapshotFiles.read(Path.of(done.checkpoint()))) < 1e-6, "as if the disk had never filled");
        assertEquals(List.of(new dev.streamtrain.core.checkpoint.Lineage.Audit("t-0", 60, 0, 0, List.of())),
                dev.streamtrain.core.checkpoint.Lineage.audit(dev.streamtrain.core.checkpoint.Lineage.chainTo(
                        Path.of(done.checkpoint()))));
    }

    @Test
    void refusesACheckpointOfAnotherModel(@TempDir Path dir) throws Exception {
        run(config(dir, "{inputs: 4, hidden: [16], classes: 3}"), TricksInTrainingTest.stream(2, 16, 1),
                new java.util.ArrayList<>());
        JobConfig other = config(dir, "{inputs: 4, hidden: [8], classes: 3}");
        var e = assertThrows(IllegalStateException.class, () -> new TrainingLoop(other, new BackPressureQueue<>(2, 1),
                new ValidationSet(10), new TrainingLoopTest.Recorder(), System::nanoTime));
        assertTrue(e.getMessage().contains("holds a different model (inputs 4, hidden [16], classes 3, activation relu,"
                + " head softmax, normalize standard) than the job's model: section (inputs 4, hidden [8],"), e.getMessage());

        // a checkpoint from before model.normalize (none) under the new default: told what to set
        JobConfig standard = config(dir.resolve("old"), "{inputs: 4, hidden: [16], classes: 3, normalize: none}");
        run(standard, TricksInTrainingTest.stream(2, 16, 1), new java.util.ArrayList<>());
        JobConfig upgraded = config(dir.resolve("old"), "{inputs: 4, hidden: [16], classes: 3}");
        var told = assertThrows(IllegalStateException.class, () -> new TrainingLoop(upgraded,
                new BackPressureQueue<>(2, 1), new ValidationSet(10), new TrainingLoopTest.Recorder(), System::nanoTime));
        assertTrue(told.getMessage().endsWith("was trained with model.normalize: none and the job says standard"
                + " (checkpoints written before model.normalize existed have none): set model.normalize: none to"
                + " resume it, or point checkpoint.dir elsewhere to start a new model"), told.getMessage());
        // the momentum only weighs future minibatches: a new one resumes the same model
        JobConfig drifting = config(dir, "{inputs: 4, hidden: [16], classes: 3, normalize-momentum: 0.01}");
        new TrainingLoop(drifting, new BackPressureQueue<>(2, 1), new ValidationSet(10),
                new TrainingLoopTest.Recorder(), System::nanoTime).close();
    }
}
