package dev.streamtrain.monitor;

import static dev.streamtrain.monitor.Streams.rule;
import static dev.streamtrain.monitor.Streams.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Alert;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LossSpikeRuleTest {
    private final TestClock clock = new TestClock(0);

    /** A flat noisy loss around 0.5 for {@code n} updates from {@code from}. */
    private static List<Alert> flat(LossSpikeRule rule, Random random, long from, int n) {
        List<Alert> out = new java.util.ArrayList<>();
        for (long u = from; u < from + n; u++) {
            out.addAll(rule.onStep(step(u, 0.5 * (1 + 0.05 * random.nextGaussian()))));
        }
        return out;
    }

    @Test
    void aLossFarAboveTheRunningMeanFiresWithItsUpdateAndEvidence() {
        var rule = new LossSpikeRule(rule("loss_spike", ""), clock);
        Random random = new Random(1);
        assertTrue(flat(rule, random, 1, 50).isEmpty());
        List<Alert> alerts = rule.onStep(step(51, 5.0));
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals("loss_spike", a.kind());
        assertEquals(51, a.update());
        assertEquals(5.0, a.value());
        assertTrue(a.evidence().get("z") > 6, a.evidence().toString());
        assertEquals(0.5, a.evidence().get("mean"), 0.05);
        assertTrue(a.evidence().get("std") >= 0.05 * a.evidence().get("mean"), "std floored at 5% of the mean");
        assertTrue(a.message().contains("update 51"), a.message());
    }

    @Test
    void aSpikeIsNotAbsorbedSoAHugeLossDoesNotHideTheNextSpike() {
        var rule = new LossSpikeRule(rule("loss_spike", ""), clock);
        Random random = new Random(2);
        flat(rule, random, 1, 40);
        double meanBefore = rule.mean();
        assertEquals(1, rule.onStep(step(41, 1e30)).size(), "a finite but huge loss fires");
        assertEquals(meanBefore, rule.mean(), 0.0, "the spike did not move the running mean");
        assertTrue(flat(rule, random, 42, 5).isEmpty());
        assertEquals(1, rule.onStep(step(47, 3.0)).size(), "the next, smaller spike is still seen");
    }

    @Test
    void nothingIsJudgedDuringWarmupAndNonFiniteLossesAreLeftAlone() {
        var rule = new LossSpikeRule(rule("loss_spike", "warmup: 10"), clock);
        Random random = new Random(3);
        flat(rule, random, 1, 5);
        assertTrue(rule.onStep(step(6, 50.0)).isEmpty(), "only 5 finite losses seen: warming up");
        assertTrue(rule.onStep(step(7, Double.NaN)).isEmpty());
        assertTrue(rule.onStep(step(8, Double.POSITIVE_INFINITY)).isEmpty());
    }

    @Test
    void theStdFloorKeepsASmoothCurveFromTurningNoiseIntoSpikes() {
        var rule = new LossSpikeRule(rule("loss_spike", "warmup: 5"), clock);
        for (long u = 1; u <= 30; u++) {
            assertTrue(rule.onStep(step(u, 1.0)).isEmpty());
        }
        // 20% above a perfectly flat curve: z = 0.2 / (0.05 x 1.0) = 4 < 6
        assertTrue(rule.onStep(step(31, 1.2)).isEmpty());
        // 40% above: z = 8 > 6
        assertEquals(1, rule.onStep(step(32, 1.4)).size());
    }
}
