package dev.streamtrain.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtrain.core.config.ConfigReader;
import dev.streamtrain.core.config.OptimizerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every optimizer replays PyTorch 1.13.1's trajectories (float64 on the DJL engine), built from the case's PyTorch
 * arguments through the job-file parser, including per-step lr and momentum/beta1.
 */
class OptimizerGoldenTest {
    private static final double REL = 1e-9;

    static OptimizerSettings settings(JsonNode c) {
        var section = new ObjectMapper().createObjectNode();
        section.put("name", c.get("optimizer").asText());
        section.set("params", c.get("params"));
        List<String> problems = new ArrayList<>();
        OptimizerSettings s = OptimizerSettings.read(new ConfigReader(section, "optimizer", problems));
        assertEquals(List.of(), problems);
        return s;
    }

    @TestFactory
    Stream<DynamicTest> matchesEveryPyTorchTrajectory() throws Exception {
        JsonNode golden = GoldenTrajectories.load();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("optimizers")) {
            tests.add(DynamicTest.dynamicTest(c.get("optimizer").asText() + " " + c.get("name").asText(),
                    () -> replay(golden.get("problem"), c)));
        }
        assertEquals(24, tests.size());
        return tests.stream();
    }

    private static void replay(JsonNode problem, JsonNode c) {
        OptimizerSettings s = settings(c);
        StepHyperParameters hyper = new StepHyperParameters(s.lr(), s.momentum());
        TorchOptimizer optimizer = Optimizers.create(s, hyper, id -> "w");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(GoldenTrajectories.doubles(problem.get("w0")));
            for (int t = 0; t < c.get("weights").size(); t++) {
                if (c.has("lr_per_step")) {
                    hyper.set(c.get("lr_per_step").get(t).asDouble(),
                            c.has("momentum_per_step") ? c.get("momentum_per_step").get(t).asDouble() : s.momentum());
                }
                double[] g = GoldenTrajectories.gradient(problem, w.toDoubleArray(), t);
                assertClose(GoldenTrajectories.doubles(c.get("grads").get(t)), g, "grad at step " + t);
                optimizer.update("id", w, m.create(g));
                assertClose(GoldenTrajectories.doubles(c.get("weights").get(t)), w.toDoubleArray(),
                        "weights after step " + t);
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

    @TestFactory
    Stream<DynamicTest> stateRoundTripsForEveryOptimizer() {
        return OptimizerSettings.NAMES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            var section = new ObjectMapper().readTree("{\"name\": \"" + name + "\", \"params\": {\"lr\": 0.1"
                    + (name.equals("SGD") || name.equals("RMSprop") ? ", \"momentum\": 0.9" : "")
                    + (name.startsWith("Adam") ? ", \"amsgrad\": true" : "") + "}}");
            OptimizerSettings s = OptimizerSettings.read(new ConfigReader(section, "optimizer", new ArrayList<>()));
            StepHyperParameters hyper = new StepHyperParameters(s.lr(), s.momentum());
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray w = m.create(new float[] {1, -2, 3});
                TorchOptimizer a = Optimizers.create(s, hyper, id -> "layers.0.bias");
                a.update("x", w, m.create(new float[] {0.5f, 1, -1}));
                a.update("x", w, m.create(new float[] {0.25f, -1, 2}));
                var saved = a.exportState();
                assertEquals(2L, saved.get("step.layers.0.bias").toLongs()[0]);
                NDArray w2 = w.duplicate();
                TorchOptimizer b = Optimizers.create(s, hyper, id -> "layers.0.bias");
                b.restoreState(saved, Map.of("layers.0.bias", w2));
                assertEquals(saved, b.exportState());
                a.update("x", w, m.create(new float[] {1, 2, 3}));
                b.update("y", w2, m.create(new float[] {1, 2, 3}));
                assertArrayEquals(w.toFloatArray(), w2.toFloatArray(), "a restored optimizer continues identically");
                assertThrows(IllegalArgumentException.class, () -> b.restoreState(saved, Map.of()));
            }
        }));
    }

    @Test
    void nesterovNeedsMomentumAndNoDampening() {
        assertThrows(IllegalArgumentException.class,
                () -> new TorchSgd(0.1, true, 0, new StepHyperParameters(0.1, 0.9), id -> id));
    }
}
