package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        return new ModelSnapshot(new ModelSpec(5, List.of(7, 6), 3, "relu", false, 0, false, "identity"),
                base.parameters(), 1);
    }

    private static float[] rawUnitRows() {
        float[] x = DeployTest.gauss(new Random(6), ROWS * 5);
        for (int i = 0; i < x.length; i++) {
            x[i] = 2000 + 1000 * x[i]; // e.g. incomes, areas, counts in their own units
        }
        return x;
    }

    private static double[] verdict(ModelSnapshot exported, ModelSnapshot weights, float[] x) throws Exception {
        try (OnnxModel model = new OnnxModel(OnnxExporter.export(exported, "test"), 5)) {
            double[] exact = ReferenceForward.outputs(weights, x, ROWS, false);
            double[] float32 = ReferenceForward.outputs(weights, x, ROWS, true);
            return new double[] {Parity.maxAbsDiff(model.predict(x, ROWS), exact), Parity.bound(exact, float32)};
        }
    }

    @Test
    void aHealthyModelOnRawUnitFeaturesPassesWhereTheFixedBoundRefusedIt() throws Exception {
        ModelSnapshot s = rawUnitRegression();
        double[] v = verdict(s, s, rawUnitRows());
        assertTrue(v[0] > Parity.TOLERANCE, "rounding alone exceeds the fixed 1e-5 here: " + v[0]);
        assertTrue(v[0] <= v[1], "within the measured rounding bound: " + v[0] + " vs " + v[1]);
    }

    @Test
    void aWrongExportStillFails() throws Exception {
        ModelSnapshot s = rawUnitRegression();
        Map<String, Tensor> wrong = new LinkedHashMap<>(s.parameters());
        String w = ModelSpec.weightName(1);
        float[] values = s.values(w).clone();
        values[3] *= 1.01f; // one weight off by 1 %: a misplaced or stale tensor is off by far more
        wrong.put(w, Tensor.ofFloats(s.parameters().get(w).shape(), values));
        double[] v = verdict(new ModelSnapshot(s.spec(), wrong, 1), s, rawUnitRows());
        assertTrue(v[0] > v[1], "a wrong weight is no rounding: " + v[0] + " vs bound " + v[1]);
    }

    @Test
    void unitScaleInputsKeepTheFixedFloor() throws Exception {
        ModelSnapshot s = DeployTest.randomSnapshot("tanh", 8);
        float[] x = DeployTest.gauss(new Random(9), ROWS * 5);
        double[] v = verdict(s, s, x);
        assertEquals(Parity.TOLERANCE, v[1], "rounding on unit-scale rows is far below the floor");
        assertTrue(v[0] < 1e-6, "softmax outputs agree to float32 precision: " + v[0]);
    }
}
