package dev.streamtrain.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the tables of {@code schedules/pytorch_schedules_golden.json} (an emulation of PyTorch's chainable
 * scheduler forms, see generate_golden.py beside it) through the spec parser and the closed forms.
 */
class PyTorchGoldenSchedulesTest {
    private static final double REL = 1e-9;

    static JsonNode golden() throws Exception {
        try (InputStream in = PyTorchGoldenSchedulesTest.class.getResourceAsStream("/schedules/pytorch_schedules_golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static double number(JsonNode n) {
        return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }

    static void close(double expected, double actual, String what) {
        double tol = REL * Math.max(1e-6, Math.abs(expected));
        assertTrue(Math.abs(expected - actual) <= tol, () -> what + ": expected " + expected + ", got " + actual);
    }

    @TestFactory
    Stream<DynamicTest> everyScheduleMatchesPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden().get("schedules")) {
            JsonNode spec = c.get("spec");
            tests.add(DynamicTest.dynamicTest(spec.get("scheduler").asText() + " " + spec.get("params"), () -> {
                LrPolicy policy = ScheduleSpecs.parseDocument(spec, "golden").policy();
                var state = policy.initialState();
                for (int i = 0; i < c.get("steps").asInt(); i++) {
                    close(c.get("lr").get(i).asDouble(), policy.lr(i, state), "lr[" + i + "]");
                    if (c.has("momentum")) {
                        close(c.get("momentum").get(i).asDouble(), policy.momentum(i, state).orElseThrow(),
                                "momentum[" + i + "]");
                    } else {
                        assertTrue(policy.momentum(i, state).isEmpty(), "no momentum cycling");
                    }
                }
            }));
        }
        assertEquals(22, tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> reduceOnPlateauMatchesPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden().get("plateau")) {
            tests.add(DynamicTest.dynamicTest("ReduceLROnPlateau " + c.get("spec").get("params") + " on "
                    + c.get("metrics"), () -> {
                LrController controller = new LrController(ScheduleSpecs.parseDocument(c.get("spec"), "golden").policy());
                for (int i = 0; i < c.get("metrics").size(); i++) {
                    controller.observe(number(c.get("metrics").get(i)), i);
                    close(c.get("lr").get(i).asDouble(), controller.lr(i), "lr after metrics[" + i + "]");
                }
            }));
        }
        assertEquals(7, tests.size());
        return tests.stream();
    }
}
