package dev.streamtrain.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** TorchSgd replays PyTorch's SGD trajectories (float64 on the DJL engine), including per-step lr and momentum. */
class TorchSgdGoldenTest {
    private static final double REL = 1e-9;

    @TestFactory
    Stream<DynamicTest> matchesEveryPyTorchSgdTrajectory() throws Exception {
        JsonNode problem = GoldenTrajectories.load().get("problem");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : GoldenTrajectories.cases("SGD")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> replay(problem, c)));
        }
        assertEquals(8, tests.size());
        return tests.stream();
    }

    private static void replay(JsonNode problem, JsonNode c) {
        JsonNode p = c.get("params");
        double lr = p.path("lr").asDouble();
        double momentum = p.path("momentum").asDouble(0);
        StepHyperParameters hyper = new StepHyperParameters(lr, momentum);
        TorchSgd sgd = new TorchSgd(p.path("dampening").asDouble(0), p.path("nesterov").asBoolean(false),
                p.path("weight_decay").asDouble(0), hyper, id -> "w");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(GoldenTrajectories.doubles(problem.get("w0")));
            int steps = c.get("weights").size();
            for (int t = 0; t < steps; t++) {
                if (c.has("lr_per_step")) {
                    hyper.set(c.get("lr_per_step").get(t).asDouble(),
                            c.has("momentum_per_step") ? c.get("momentum_per_step").get(t).asDouble() : momentum);
                }
                double[] g = GoldenTrajectories.gradient(problem, w.toDoubleArray(), t);
                assertClose(GoldenTrajectories.doubles(c.get("grads").get(t)), g, "grad at step " + t);
                sgd.update("id", w, m.create(g));
                assertClose(GoldenTrajectories.doubles(c.get("weights").get(t)), w.toDoubleArray(), "weights after step " + t);
            }
        }
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = REL * Math.max(1e-12, Math.abs(expected[i]));
            int k = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    () -> what + "[" + k + "]: expected " + expected[k] + ", got " + actual[k]);
        }
    }

    @Test
    void momentumStateRoundTripsByParameterName() {
        StepHyperParameters hyper = new StepHyperParameters(0.1, 0.9);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1, 2, 3});
            TorchSgd a = new TorchSgd(0, false, 0, hyper, id -> "layers.0.bias");
            a.update("x", w, m.create(new float[] {1, 1, 1}));
            a.update("x", w, m.create(new float[] {0.5f, 0, -1}));
            var saved = a.exportState();
            assertArrayEquals(new float[] {1.4f, 0.9f, -0.1f}, saved.get("momentum_buffer.layers.0.bias").toFloats(), 1e-6f);

            NDArray w2 = w.duplicate();
            TorchSgd b = new TorchSgd(0, false, 0, hyper, id -> "layers.0.bias");
            b.restoreState(saved, Map.of("layers.0.bias", w2));
            a.update("x", w, m.create(new float[] {1, 2, 3}));
            b.update("y", w2, m.create(new float[] {1, 2, 3}));
            assertArrayEquals(w.toFloatArray(), w2.toFloatArray(), "a restored optimizer continues identically");
            assertThrows(IllegalArgumentException.class, () -> b.restoreState(saved, Map.of()));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new TorchSgd(0.1, true, 0, new StepHyperParameters(0.1, 0.9), id -> id));
    }
}
