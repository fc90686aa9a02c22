package dev.streamtrain.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtrain.core.wire.Safetensors;
import dev.streamtrain.core.wire.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input statistics and the scale applied against scikit-learn's {@code StandardScaler.partial_fit} and
 * {@code MinMaxScaler.partial_fit} (their {@code scale_}), and the documented momentum rule, from
 * {@code normalize/golden.json} ({@code generate_golden.py} beside it).
 */
class FeatureStatisticsTest {
    private static final int FEATURES = 5;

    private static JsonNode golden() throws Exception {
        try (var in = FeatureStatisticsTest.class.getResourceAsStream("/normalize/golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static List<float[]> batches(JsonNode golden) {
        List<float[]> out = new ArrayList<>();
        for (JsonNode b : golden.get("batches")) {
            float[] x = new float[b.size() * FEATURES];
            for (int r = 0; r < b.size(); r++) {
                for (int f = 0; f < FEATURES; f++) {
                    x[r * FEATURES + f] = (float) b.get(r).get(f).asDouble();
                }
            }
            out.add(x);
        }
        return out;
    }

    private static Normalization normalization(JsonNode c) {
        return new Normalization(c.get("kind").asText(), c.get("momentum").isNull() ? null
                : c.get("momentum").asDouble());
    }

    private static void close(JsonNode expected, double[] actual, double relative, String what) {
        for (int f = 0; f < actual.length; f++) {
            double e = expected.get(f).asDouble();
            assertEquals(e, actual[f], relative * Math.max(1e-12, Math.abs(e)), what + " feature " + f);
        }
    }

    private static double[] widen(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    @Test
    void matchesScikitLearnAfterEveryMinibatch() throws Exception {
        JsonNode golden = golden();
        List<float[]> batches = batches(golden);
        for (JsonNode c : golden.get("cases")) {
            Normalization n = normalization(c);
            FeatureStatistics s = new FeatureStatistics(n, FEATURES);
            assertArrayEquals(new float[FEATURES], s.shift(), "identity before any example");
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, s.scale());
            for (int i = 0; i < batches.size(); i++) {
                String what = n + " after minibatch " + i;
                JsonNode step = c.get("steps").get(i);
                assertTrue(s.observe(batches.get(i), batches.get(i).length / FEATURES));
                assertEquals(step.get("count").asDouble(), s.count(), what);
                Map<String, Tensor> t = s.toTensors();
                close(step.get("first"), t.get(n.statisticNames().get(0)).toDoubles(), 1e-9, what + " " + "first");
                close(step.get("second"), t.get(n.statisticNames().get(1)).toDoubles(), 1e-9, what + " second");
                close(step.get("shift"), widen(s.shift()), 1e-7, what + " shift");
                close(step.get("scale"), widen(s.scale()), 1e-7, what + " scale");
            }
            assertEquals(1f, s.scale()[4], "a constant feature keeps scale 1, as scikit-learn's scalers do");
            assertTrue(s.scale()[0] > 1e8, "a feature in units of 1e-9 is scaled, not taken for a constant");
        }
    }

    @Test
    void restoredStatisticsContinueAsIfNeverStopped(@TempDir Path dir) throws Exception {
        List<float[]> batches = batches(golden());
        for (Normalization n : List.of(new Normalization("standard", null), new Normalization("minmax", null),
                new Normalization("standard", 0.1))) {
            FeatureStatistics straight = new FeatureStatistics(n, FEATURES);
            FeatureStatistics first = new FeatureStatistics(n, FEATURES);
            for (int i = 0; i < 2; i++) {
                straight.observe(batches.get(i), batches.get(i).length / FEATURES);
                first.observe(batches.get(i), batches.get(i).length / FEATURES);
            }
            // through the checkpoint's safetensors bytes, as a restart reads them
            Map<String, Tensor> saved = Safetensors.decode(Safetensors.encode(new LinkedHashMap<>(first.toTensors())));
            FeatureStatistics resumed = new FeatureStatistics(n, FEATURES);
            resumed.restore(saved);
            for (int i = 2; i < batches.size(); i++) {
                straight.observe(batches.get(i), batches.get(i).length / FEATURES);
                resumed.observe(batches.get(i), batches.get(i).length / FEATURES);
            }
            assertEquals(straight.toTensors(), resumed.toTensors(), n.toString());
            assertArrayEquals(straight.scale(), resumed.scale());
        }
    }

    @Test
    void aMinibatchWithANonFiniteValueIsLeftOut() {
        FeatureStatistics s = new FeatureStatistics(new Normalization("standard", null), 2);
        assertTrue(s.observe(new float[] {1, 2, 3, 4}, 2));
        var before = s.toTensors();
        assertFalse(s.observe(new float[] {1, Float.NaN}, 1));
        assertFalse(s.observe(new float[] {Float.POSITIVE_INFINITY, 0}, 1));
        assertFalse(s.observe(new float[0], 0));
        assertEquals(before, s.toTensors());
        assertEquals(2, s.count());
    }

    @Test
    void aCorruptedValueFarBeyondTheStreamIsLeftOutButASparseFeaturesRareValueIsNot() {
        for (Normalization n : List.of(new Normalization("standard", null), new Normalization("minmax", null))) {
            FeatureStatistics s = new FeatureStatistics(n, 2);
            java.util.Random rnd = new java.util.Random(1);
            float[] x = new float[2 * 300];
            for (int r = 0; r < 300; r++) {
                x[2 * r] = (float) (5e4 + 1e4 * rnd.nextGaussian()); // raw units
                x[2 * r + 1] = 0; // a sparse feature, all zero so far
            }
            assertTrue(s.observe(x, 300));
            var before = s.toTensors();
            assertFalse(s.observe(new float[] {1e30f, 0, 5e4f, 0}, 2), n + ": a bit-flipped record");
            assertEquals(before, s.toTensors(), "left out whole");
            assertTrue(s.observe(new float[] {9e4f, 16, 5e4f, 0}, 2), n + ": four sigma, and a first non-zero");
            assertTrue(s.scale()[1] != 1f, "the sparse feature now has a spread: " + java.util.Arrays.toString(s.scale()));
            for (int i = 0; i < 7; i++) {
                assertFalse(s.observe(new float[] {1e9f, 0, 5e4f, 0}, 2), n + ": still corrupted, " + i);
            }
            assertTrue(s.observe(new float[] {1e9f, 0, 5e4f, 0}, 2), n + ": eight in a row: the stream has moved");
        }
    }

    @Test
    void aDenormalFromACorruptedZeroNeverGivesAnInfiniteScale() {
        FeatureStatistics s = new FeatureStatistics(new Normalization("standard", null), 1);
        s.observe(new float[] {0, 0, 0, Float.MIN_VALUE * 3}, 4); // 0.0 with bits flipped: 4e-45
        assertEquals(1f, s.scale()[0], "no spread worth the name: a constant");
        assertTrue(Float.isFinite(s.scale()[0]));
    }

    @Test
    void refusesWhatItCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> new FeatureStatistics(Normalization.none(), 3));
        assertThrows(IllegalArgumentException.class, () -> new Normalization("zscore", null));
        assertThrows(IllegalArgumentException.class, () -> new Normalization("standard", 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Normalization("standard", 1.5));
        assertThrows(IllegalArgumentException.class, () -> new Normalization("minmax", 0.1), "one-row minibatches");
        FeatureStatistics s = new FeatureStatistics(new Normalization("minmax", null), 3);
        var e = assertThrows(IllegalArgumentException.class, () -> s.restore(Map.of()));
        assertTrue(e.getMessage().contains("normalize.count"), e.getMessage());
    }

    @Test
    void aNormalizedSnapshotRoundTripsThroughFiles(@TempDir Path dir) throws Exception {
        ModelSpec spec = new ModelSpec(2, List.of(), 2, "relu").withNormalization(new Normalization("standard", 0.05));
        FeatureStatistics stats = new FeatureStatistics(spec.normalization(), 2);
        stats.observe(new float[] {1, 1000, 3, 3000}, 2);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put(Normalization.SHIFT, Tensor.ofFloats(new long[] {2}, stats.shift()));
        p.put(Normalization.SCALE, Tensor.ofFloats(new long[] {2}, stats.scale()));
        p.putAll(stats.toTensors());
        p.put("layers.0.weight", Tensor.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        p.put("layers.0.bias", Tensor.ofFloats(new long[] {2}, new float[] {0, 0}));
        ModelSnapshot s = new ModelSnapshot(spec, p, 3);
        ModelSnapshotFiles.write(s, dir);
        ModelSnapshot back = ModelSnapshotFiles.read(dir);
        assertEquals(spec, back.spec());
        assertEquals(s.parameters(), back.parameters());
        p.remove("normalize.var");
        var e = assertThrows(IllegalArgumentException.class, () -> new ModelSnapshot(spec, p, 3));
        assertTrue(e.getMessage().contains("normalize.var"), e.getMessage());
        // the reference forward scales first: (1, 1000) standardises to (-1, -1), then W gives logits -3 and -7
        float[] y = ReferenceForward.probabilities(back, new float[] {1, 1000}, 1);
        assertEquals(1 / (1 + Math.exp(-4)), y[0], 1e-6);
    }
}
