package dev.streamtrain.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainerTime;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.events.PartitionProgress;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.wire.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotAndEventsTest {

    static ModelSnapshot tinySnapshot(float poison) {
        ModelSpec spec = new ModelSpec(2, List.of(3), 2, "relu");
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("layers.0.weight", Tensor.ofFloats(new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, poison}));
        p.put("layers.0.bias", Tensor.ofFloats(new long[] {3}, new float[] {0.1f, 0.2f, 0.3f}));
        p.put("layers.1.weight", Tensor.ofFloats(new long[] {2, 3}, new float[] {1, 0, -1, 0, 1, 0}));
        p.put("layers.1.bias", Tensor.ofFloats(new long[] {2}, new float[] {0, 0}));
        return new ModelSnapshot(spec, p, 17);
    }

    @Test
    void snapshotRoundTripsThroughFiles(@TempDir Path dir) throws Exception {
        ModelSnapshot s = tinySnapshot(6);
        ModelSnapshotFiles.write(s, dir);
        ModelSnapshot back = ModelSnapshotFiles.read(dir);
        assertEquals(s.spec(), back.spec());
        assertEquals(17, back.updates());
        assertEquals(s.parameters(), back.parameters());
        assertTrue(Files.readString(dir.resolve("model.json")).contains("\"hidden\" : [ 3 ]"));
    }

    @Test
    void snapshotChecksShapesAndFiniteness() {
        assertTrue(tinySnapshot(6).isFinite());
        assertFalse(tinySnapshot(Float.NaN).isFinite());
        ModelSpec spec = new ModelSpec(2, List.of(), 2, "relu");
        var e = assertThrows(IllegalArgumentException.class, () -> new ModelSnapshot(spec,
                Map.of("layers.0.weight", Tensor.ofFloats(new long[] {2, 3}, new float[6]),
                        "layers.0.bias", Tensor.ofFloats(new long[] {2}, new float[2])), 0));
        assertTrue(e.getMessage().contains("layers.0.weight has shape [2, 3], the spec needs [2, 2]"), e.getMessage());
    }

    @Test
    void eventsCarryTypeSchemaAndNonFiniteNumbers() {
        StepMetrics m = new StepMetrics("j", 3, 96, Double.NaN, 0.1, 0.9, 2.5, 1234.5, 99);
        String json = Events.toJson(m);
        assertTrue(json.startsWith("{\"type\":\"step_metrics\",\"schema\":1,"), json);
        assertTrue(json.contains("\"loss\":\"NaN\""), json);
        assertEquals(m, Events.fromJson(json, StepMetrics.class));

        var v = new ValidationMetrics("j", 3, 96, 10, 0.5, 0.9, 1);
        var f = new TrainingFinished("j", 3, 96, 0, new TrainerTime(10, 1, 2, 3, 0), v, "/c",
                List.of(new PartitionProgress("t", 0, 3, 1, 0, 0, 0, 2)),
                "early_stopping: val_loss did not improve");
        assertEquals(f, Events.fromJson(Events.toJson(f), TrainingFinished.class));
        assertEquals(4, f.time().computingMillis()); // 10 - 1 waiting - 2 evaluating - 3 checkpointing
        String finishedJson = Events.toJson(f);
        assertTrue(finishedJson.contains("\"wallMillis\":10") && finishedJson.contains("\"computingMillis\":4"),
                "the wall time stays where consumers read it, the split beside it: " + finishedJson);

        var alert = new dev.streamtrain.core.events.Alert("j", "loss_spike", "critical", "spike", 7, 1e30,
                java.util.Map.of("z", 1e12, "mean", 0.4), List.of(new OffsetRange("t", 0, 5, 5)), 3, 11);
        String alertJson = Events.toJson(alert);
        assertTrue(alertJson.contains("\"offsets\":[{\"topic\":\"t\",\"partition\":0,\"from\":5,\"to\":5}]"),
                alertJson);
        assertEquals(alert, Events.fromJson(alertJson, dev.streamtrain.core.events.Alert.class));
        var rolled = new dev.streamtrain.core.events.RolledBack("j", 60, 40, "/c/ckpt-40", "loss_spike", 0.1, 0.05,
                Double.POSITIVE_INFINITY, 0.3, List.of(new OffsetRange("t", 0, 41, 60)), false, 12);
        assertEquals(rolled, Events.fromJson(Events.toJson(rolled), dev.streamtrain.core.events.RolledBack.class));
    }

    @Test
    void validationSetKeepsTheNewestRowsWithinItsBound() {
        ValidationSet set = new ValidationSet(5);
        for (int i = 0; i < 4; i++) {
            set.add(new MiniBatch(2, 1, new float[] {i, i}, new long[] {0, 1}, List.of(OffsetRange.single("v", 0, i))));
        }
        assertEquals(4, set.rows());
        assertEquals(2, set.snapshot().size());
        assertArrayEquals(new float[] {3, 3}, set.snapshot().get(1).x());
    }

    @Test
    void offsetRangesAreDescribedMergedPerPartition() {
        assertEquals("t-0@3..5,9 u-1@7", dev.streamtrain.core.batch.OffsetRanges.describe(List.of(
                OffsetRange.single("t", 0, 9), new OffsetRange("t", 0, 3, 4), OffsetRange.single("u", 1, 7),
                OffsetRange.single("t", 0, 5))));
        assertEquals("none", dev.streamtrain.core.batch.OffsetRanges.describe(List.of()));
    }
}
