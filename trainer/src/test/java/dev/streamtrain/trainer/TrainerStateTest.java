package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamtrain.core.events.PartitionOffset;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.schedule.ReduceLROnPlateau;
import dev.streamtrain.core.wire.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerStateTest {
    @Test
    void checkpointStateAndOptimizerBuffersRoundTrip(@TempDir Path dir) throws Exception {
        ModelSpec spec = new ModelSpec(1, List.of(), 2, "relu");
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("layers.0.weight", Tensor.ofFloats(new long[] {2, 1}, new float[] {1, 2}));
        params.put("layers.0.bias", Tensor.ofFloats(new long[] {2}, new float[] {0, 0}));
        var plateau = new ReduceLROnPlateau.State(0.25, 2, 1, 0.5, 1, 0, 0, 9);
        var state = new TrainerState(42, 1344, 9, List.of(new PartitionOffset("t", 0, 43)), plateau,
                new ValidationMetrics("j", 42, 1344, 10, Double.NaN, 0.9, 7),
                new dev.streamtrain.trainer.tricks.DynamicLossScaler.State(8192, 17, 3), true, 0.5, 2,
                List.of(new dev.streamtrain.core.batch.OffsetRange("t", 0, 45, 47),
                        new dev.streamtrain.core.batch.OffsetRange("t", 0, 50, 50)));
        Map<String, Tensor> optimizer = Map.of("momentum_buffer.layers.0.bias",
                Tensor.ofFloats(new long[] {2}, new float[] {0.5f, -0.5f}));
        Path ckpt = new CheckpointWriter(dir, 2).save(new ModelSnapshot(spec, params, 42), optimizer, params, state);
        assertEquals(state, CheckpointWriter.readState(ckpt));
        assertEquals(4, CheckpointWriter.readState(ckpt).position().handledAboveCount(), "the exact position survives");
        assertEquals(optimizer, CheckpointWriter.readOptimizer(ckpt));
        assertEquals(params, CheckpointWriter.readWeightAverage(ckpt));
        assertEquals(dir.resolve("ckpt-000000000042"), ckpt);
    }

    @Test
    void pruningRenamesBeforeDeletingSoACrashLeavesNoHalfCheckpoint(@TempDir Path dir) throws Exception {
        ModelSpec spec = new ModelSpec(1, List.of(), 2, "relu");
        Map<String, Tensor> params = Map.of("layers.0.weight", Tensor.ofFloats(new long[] {2, 1}, new float[] {1, 2}),
                "layers.0.bias", Tensor.ofFloats(new long[] {2}, new float[] {0, 0}));
        var writer = new CheckpointWriter(dir, 1);
        var state = new TrainerState(7, 70, 0, List.of(), new ReduceLROnPlateau.State(Double.POSITIVE_INFINITY, 0, 0, 1, 0, 0, 0, 0), null, null);
        Path seven = writer.save(new ModelSnapshot(spec, params, 7), Map.of(), Map.of(), state);
        // what a kill half-way through deleting a pruned checkpoint leaves: a renamed copy, still holding state.json
        Path leftover = dir.resolve(dev.streamtrain.core.model.AtomicFiles.DISCARDED_PREFIX + "ckpt-000000000003-1");
        java.nio.file.Files.createDirectories(leftover);
        java.nio.file.Files.copy(seven.resolve(CheckpointWriter.STATE_FILE), leftover.resolve(CheckpointWriter.STATE_FILE));
        assertEquals(List.of(seven), CheckpointWriter.all(dir), "a discarded directory is never read as a checkpoint");

        var state8 = new TrainerState(8, 80, 0, List.of(), new ReduceLROnPlateau.State(Double.POSITIVE_INFINITY, 0, 0, 1, 0, 0, 0, 0), null, null);
        Path eight = writer.save(new ModelSnapshot(spec, params, 8), Map.of(), Map.of(), state8);
        assertEquals(List.of(eight), CheckpointWriter.all(dir), "keep 1: ckpt-7 pruned");
        dev.streamtrain.core.model.AtomicFiles.deleteLeftovers(dir); // as a trainer does when it starts
        try (var list = java.nio.file.Files.list(dir)) {
            assertEquals(List.of(eight.getFileName().toString()), list.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".tmp")).toList());
        }
    }
}
