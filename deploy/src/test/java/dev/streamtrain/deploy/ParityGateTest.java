package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.model.ReferenceForward;
import dev.streamtrain.core.wire.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The export gate tells float32 rounding from a wrong export, judging ONNX Runtime against a float64 reference. */
class ParityGateTest {
    private static final int ROWS = 64;

    /** A regression on raw-unit features (values in the thousands), the kind a fixed 1e-5 gate refused. */
    private static ModelSnapshot rawUnitRegression() {
        ModelSnapshot base = DeployTest.randomSnapshot("relu", 5);
        return new ModelSnapshot(new ModelSpec(5, List.of(7, 6), 3, "relu", false, 0, false, "identity",
                dev.streamtrain.core.model.Normalization.none()),
                base.parameters(), 1);
    }

    private static float[] rawUnitRows() {
        float[] x = DeployTest.gauss(new Random(6), ROWS * 5);
        for (int i = 0; i < x.length; i++) {
            x[i] = 2000 + 1000 * x[i]; // e.g. incomes, areas, counts in their own units
        }
        return x;
    }

    /** The same weights with one weight of the second layer off by {@code factor}. */
    private static ModelSnapshot withWrongWeight(ModelSnapshot s, float factor) {
        Map<String, Tensor> wrong = new LinkedHashMap<>(s.parameters());
        String w = ModelSpec.weightName(1);
        float[] values = s.values(w).clone();
        values[3] *= factor;
        wrong.put(w, Tensor.ofFloats(s.parameters().get(w).shape(), values));
        return new ModelSnapshot(s.spec(), wrong, 1);
    }

    /** ONNX Runtime running {@code exported}, judged against the reference of {@code weights}. */
    private static Parity.Verdict judge(ModelSnapshot exported, ModelSnapshot weights, float[] x) throws Exception {
        int rows = x.length / 5;
        try (OnnxModel model = new OnnxModel(OnnxExporter.export(exported, "test"), 5)) {
            return Parity.judge(model.predict(x, rows), ReferenceForward.withRoundingBound(weights, x, rows), 3);
        }
    }

    @Test
    void aHealthyModelOnRawUnitFeaturesPassesWhereTheFixedBoundRefusedIt() throws Exception {
        ModelSnapshot s = rawUnitRegression();
        Parity.Verdict v = judge(s, s, rawUnitRows());
        assertTrue(v.maxAbsDiff() > Parity.TOLERANCE, "rounding alone exceeds the fixed 1e-5 here: " + v);
        assertTrue(v.passed(), "within each output's rounding bound: " + v);
        assertEquals(ROWS, v.rowsJudged());
    }

    @Test
    void aWrongExportStillFails() throws Exception {
        ModelSnapshot s = rawUnitRegression();
        Parity.Verdict v = judge(withWrongWeight(s, 1.01f), s, rawUnitRows());
        assertFalse(v.passed(), "one weight off by 1 % is no rounding: " + v);
        Parity.Verdict unit = judge(withWrongWeight(DeployTest.randomSnapshot("tanh", 8), 1.001f),
                DeployTest.randomSnapshot("tanh", 8), DeployTest.gauss(new Random(9), ROWS * 5));
        assertFalse(unit.passed(), "on unit-scale rows, 0.1 % is no rounding either: " + unit);
    }

    @Test
    void oneRowOfLargeValuesDoesNotLoosenTheCheckOfTheOthers() throws Exception {
        ModelSnapshot s = rawUnitRegression();
        ModelSnapshot bad = withWrongWeight(s, 1.001f);
        float[] unit = DeployTest.gauss(new Random(4), ROWS * 5);
        float[] mixed = unit.clone();
        System.arraycopy(rawUnitRows(), 0, mixed, 0, 5); // one raw-unit row among unit-scale ones
        Parity.Verdict v = judge(bad, s, mixed);
        assertFalse(v.passed(), "the unit rows are held to their own rounding: " + v);
        assertEquals(ROWS, v.rowsJudged());
        assertTrue(judge(s, s, mixed).passed(), "the healthy model passes on the same rows");
    }

    @Test
    void aRowOverflowingFloat32DoesNotFailAHealthyModel() throws Exception {
        ModelSnapshot s = DeployTest.randomSnapshot("tanh", 8);
        float[] x = DeployTest.gauss(new Random(9), ROWS * 5);
        java.util.Arrays.fill(x, 0, 5, 3e38f); // overflows float32 inside the model (tanh saturates it back)
        Parity.Verdict v = judge(s, s, x);
        assertTrue(v.passed(), "that row's bound is as loose as its magnitudes, the others' stay tight: " + v);
        assertEquals(ROWS, v.rowsJudged());
        Parity.Verdict unit = judge(s, s, java.util.Arrays.copyOfRange(x, 5, x.length));
        assertTrue(unit.maxAbsDiff() < 1e-6, "on unit rows softmax outputs agree to float32 precision: " + unit);
        assertTrue(unit.bound() < 1e-4, "unit-scale rows keep a tight bound: " + unit);
    }
}
