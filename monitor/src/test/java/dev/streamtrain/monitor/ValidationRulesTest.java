package dev.streamtrain.monitor;

import static dev.streamtrain.monitor.Streams.rule;
import static dev.streamtrain.monitor.Streams.step;
import static dev.streamtrain.monitor.Streams.val;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Alert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Divergence, early flattening, slow descent and overfitting on scripted validation curves. */
class ValidationRulesTest {
    private final TestClock clock = new TestClock(0);

    private static List<Alert> evals(MetricRule rule, double... losses) {
        List<Alert> out = new ArrayList<>();
        for (int i = 0; i < losses.length; i++) {
            out.addAll(rule.onValidation(val(100L * (i + 1), losses[i])));
        }
        return out;
    }

    @Test
    void divergenceFiresWhenTheLossRisesAtEachOfTheFirstEvaluations() {
        List<Alert> alerts = evals(new DivergenceRule(rule("divergence", ""), clock), 0.69, 0.74, 0.81, 0.95, 1.2);
        assertEquals(1, alerts.size(), "once");
        Alert a = alerts.get(0);
        assertEquals(400, a.update(), "the third rise, at the fourth evaluation");
        assertEquals(0.95, a.value());
        assertTrue(a.message().contains("initial learning rate is too large"), a.message());
        assertTrue(a.message().contains("restart from scratch"), a.message());
        assertEquals(3.0, a.evidence().get("rises"));
    }

    @Test
    void divergenceIsOnlyAboutTheStart() {
        assertTrue(evals(new DivergenceRule(rule("divergence", ""), clock), 0.69, 0.74, 0.70, 0.8, 0.9, 1.0, 1.1)
                .isEmpty(), "a fall at the second rise disarms it; later rises are overfitting's business");
        assertEquals(1, evals(new DivergenceRule(rule("divergence", "evaluations: 2"), clock), 0.5, 0.6, 0.7).size());
    }

    @Test
    void earlyFlatteningFiresWhenAFastDropStallsHigh() {
        var rule = new EarlyFlatteningRule(rule("early_flattening", ""), clock);
        // fast: 2.0 -> 0.8 (60%) over 5 evaluations; then stuck near 0.8 (40% of the first loss > 20%)
        List<Alert> alerts = evals(rule, 2.0, 1.5, 1.2, 1.0, 0.8, 0.80, 0.81, 0.799, 0.802, 0.798, 0.80);
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals(1000, a.update(), "judged first with two full stretches");
        assertTrue(a.message().contains("later learning rate is too large"), a.message());
        assertTrue(a.message().contains("redo the last part"), a.message());
        assertEquals(0.798, a.evidence().get("best"), 1e-12);
    }

    @Test
    void earlyFlatteningStaysSilentWhenTheLossKeepsFallingOrFlattensLow() {
        assertTrue(evals(new EarlyFlatteningRule(rule("early_flattening", ""), clock),
                2.0, 1.5, 1.2, 1.0, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.36).isEmpty(), "still improving");
        assertTrue(evals(new EarlyFlatteningRule(rule("early_flattening", ""), clock),
                2.0, 1.0, 0.6, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3).isEmpty(), "flat, but at 15% of the start");
        assertTrue(evals(new EarlyFlatteningRule(rule("early_flattening", ""), clock),
                2.0, 1.9, 1.85, 1.8, 1.75, 1.75, 1.75, 1.75, 1.75, 1.75).isEmpty(), "never fast");
    }

    @Test
    void slowDescentFiresOnceWhenTheFirstEvaluationsBarelyImprove() {
        var rule = new SlowDescentRule(rule("slow_descent", "evaluations: 5"), clock);
        List<Alert> alerts = evals(rule, 1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94);
        assertEquals(1, alerts.size());
        assertEquals(500, alerts.get(0).update());
        assertEquals("info", alerts.get(0).severity());
        assertTrue(alerts.get(0).message().contains("learning rate is too small; raise it"), alerts.get(0).message());
        assertEquals(0.04, alerts.get(0).evidence().get("drop"), 1e-9);
        assertTrue(evals(new SlowDescentRule(rule("slow_descent", "evaluations: 5"), clock),
                1.0, 0.8, 0.6, 0.5, 0.45).isEmpty(), "a 55% drop is not slow");
        assertTrue(evals(new SlowDescentRule(rule("slow_descent", "evaluations: 5"), clock),
                1.0, 1.1, 1.2, 1.3, 1.4).isEmpty(), "a rising loss is divergence, not slow descent");
    }

    /** Training steps between evaluations, with the loss falling from {@code from} to {@code to}. */
    private static void train(MetricRule rule, long fromUpdate, double from, double to) {
        for (int i = 1; i <= 50; i++) {
            rule.onStep(step(fromUpdate + i, from + (to - from) * i / 50.0));
        }
    }

    @Test
    void overfittingFiresWhenValidationRisesWhileTrainingFalls() {
        var rule = new OverfittingRule(rule("overfitting", ""), clock);
        double[] val = {0.60, 0.55, 0.56, 0.58, 0.61, 0.65};
        List<Alert> alerts = new ArrayList<>();
        double train = 0.6;
        for (int i = 0; i < val.length; i++) {
            train(rule, 50L * i, train, train - 0.05);
            train -= 0.05;
            alerts.addAll(rule.onValidation(val(50L * (i + 1), val[i])));
        }
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals(250, a.update(), "third consecutive rise");
        assertTrue(a.message().contains("regularise"), a.message());
        assertTrue(a.message().contains("early stopping"), a.message());
        assertTrue(a.message().contains("more data"), a.message());
    }

    @Test
    void risingValidationWithRisingTrainingIsNotOverfitting() {
        var rule = new OverfittingRule(rule("overfitting", ""), clock);
        double train = 0.3;
        for (int i = 0; i < 6; i++) {
            train(rule, 50L * i, train, train + 0.05);
            train += 0.05;
            assertTrue(rule.onValidation(val(50L * (i + 1), 0.5 + 0.05 * i)).isEmpty());
        }
    }

    @Test
    void aLastingGapAboveMaxGapIsOverfittingWhenEnabled() {
        var off = new OverfittingRule(rule("overfitting", ""), clock);
        var on = new OverfittingRule(rule("overfitting", "max-gap: 0.2"), clock);
        List<Alert> found = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            train(off, 50L * i, 0.1, 0.1);
            train(on, 50L * i, 0.1, 0.1);
            // validation flat at 0.5: gap 0.4 > 0.2, no rise
            assertTrue(off.onValidation(val(50L * (i + 1), 0.5)).isEmpty(), "max-gap 0 switches the gap off");
            found.addAll(on.onValidation(val(50L * (i + 1), 0.5)));
        }
        assertEquals(1, found.size());
        assertEquals(150, found.get(0).update(), "third evaluation above the gap");
        assertEquals(0.4, found.get(0).evidence().get("gap"), 1e-9);
    }
}
