package dev.streamtrain.core.lrfind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtrain.core.events.Events;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The range test's arithmetic against golden values from an emulation of fastai 2.7's code with torch
 * ({@code src/test/resources/lrfind/generate_golden.py}): smoothing, and the steep, minimum and valley suggestions.
 */
class RangeTestMathTest {
    @Test
    void smoothingAndSuggestionsMatchFastai() throws Exception {
        JsonNode golden = Events.mapper().readTree(getClass().getResourceAsStream("/lrfind/golden.json"));
        assertEquals(4, golden.size()); // bowl, noisy flat start, stopped early at a NaN, a valley index of -1
        for (JsonNode g : golden) {
            RangeCurve curve = new RangeCurve();
            int n = g.get("lrs").size();
            for (int i = 0; i < n; i++) {
                curve.add(g.get("lrs").get(i).asDouble(), g.get("losses").get(i).asDouble());
                double want = g.get("smoothed").get(i).asDouble(); // rounding differs a little: lerp vs EMA
                assertEquals(want, curve.smoothed()[i], Double.isNaN(want) ? 0 : 1e-12 * Math.max(1, Math.abs(want)),
                        g.get("name") + " " + i);
            }
            RangeSuggestions s = RangeSuggestions.of(curve, g.get("num_it").asInt());
            JsonNode want = g.get("suggestions");
            String name = g.get("name").asText();
            assertEquals(want.get("steepest").asDouble(), s.steepest(), 1e-12, name + " steepest");
            assertEquals(want.get("minimum_tenth").asDouble(), s.minimumTenth(), 1e-12, name + " minimum");
            assertEquals(want.get("valley").asDouble(), s.valley(), 1e-12, name + " valley");
            assertEquals(want.get("loss_minimum").asDouble(), s.lossMinimum(), 1e-12, name + " loss minimum");
        }
    }

    @Test
    void theSweepRisesFromStartToEndAndIsTheScheduleTheTrainerRuns() {
        for (String mode : List.of("exp", "linear")) {
            RangeSweep sweep = new RangeSweep(1e-6, 1.0, 61, mode);
            assertEquals(1e-6, sweep.lr(0), 1e-18);
            assertEquals(1.0, sweep.lr(60), 1e-12);
            for (int i = 0; i < 61; i++) {
                assertEquals(sweep.lr(i), sweep.policy().lr(i, sweep.policy().initialState()), sweep.lr(i) * 1e-9,
                        mode + " update " + i);
            }
        }
        assertEquals(1e-3, new RangeSweep(1e-6, 1.0, 61, "exp").lr(30), 1e-15, "exp: the middle is the geometric mean");
        assertEquals(List.of("--start must be a rate > 0, got 0.0", "--end must be a finite rate above --start (0.0),"
                + " got -1.0", "--steps must be at least 12, got 2", "--mode must be exp or linear, got 'log'"),
                RangeSweep.problems(0, -1, 2, "log"));
    }

    @Test
    void divergenceIsFourTimesTheBestSmoothedLossOrANonFiniteOne() {
        RangeCurve curve = new RangeCurve();
        for (int i = 0; i < 20; i++) {
            assertFalse(curve.add(1e-3 * i, 1.0), "a flat loss never diverges");
        }
        boolean diverged = false;
        int updates = 0;
        while (!diverged) {
            diverged = curve.add(1, 100.0); // the smoothed loss climbs past 4x the best (1.0) within a few updates
            updates++;
        }
        assertTrue(updates < 10 && curve.smoothed()[curve.size() - 1] > 4.0, "diverged after " + updates);
        RangeCurve nan = new RangeCurve();
        nan.add(1e-3, 1.0);
        assertTrue(nan.add(1e-2, Double.NaN));
        assertThrows(IllegalStateException.class, () -> RangeSuggestions.of(nan, 100), "too short for suggestions");
    }
}
