package dev.streamtrain.monitor;

import static dev.streamtrain.monitor.Streams.rejected;
import static dev.streamtrain.monitor.Streams.rule;
import static dev.streamtrain.monitor.Streams.step;
import static dev.streamtrain.monitor.Streams.val;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Alert;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonFiniteRulesTest {
    private final TestClock clock = new TestClock(5_000);

    @Test
    void aRefusedNanLossAlertsOnceWithItsRecordsNotFromTheStepReport() {
        var rule = new NonFiniteLossRule(rule("non_finite_loss", ""), clock);
        // a refused minibatch may be reported twice (a step with NaN loss from another producer, and the rejection)
        assertTrue(rule.onStep(step(7, Double.NaN)).isEmpty(), "the step report alone must not alert (no double)");
        List<Alert> alerts = rule.onRejected(rejected(7, "non_finite_loss", Double.NaN));
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals("non_finite_loss", a.kind());
        assertEquals("critical", a.severity());
        assertEquals(7, a.update());
        assertTrue(Double.isNaN(a.value()));
        assertEquals(1, a.offsets().size());
        assertEquals(32.0, a.evidence().get("records"));
        assertEquals(5_000, a.timeMillis());
        assertTrue(a.message().contains("training loss is NaN at update 7"), a.message());
        assertTrue(a.message().contains("exploding gradients"), a.message());
        assertTrue(rule.onRejected(rejected(8, "non_finite_gradient", Double.NaN)).isEmpty(), "other reasons");
    }

    @Test
    void aNonFiniteValidationLossAlertsAndAFiniteOneDoesNot() {
        var rule = new NonFiniteLossRule(rule("non_finite_loss", "severity: warning"), clock);
        assertTrue(rule.onValidation(val(10, 0.4)).isEmpty());
        List<Alert> alerts = rule.onValidation(val(20, Double.POSITIVE_INFINITY));
        assertEquals(1, alerts.size());
        assertEquals("warning", alerts.get(0).severity(), "configured severity");
        assertTrue(alerts.get(0).message().contains("validation loss is Infinity at update 20"));
    }

    @Test
    void gradientAndParameterRulesAnswerOnlyTheirReason() {
        var grad = new GuardRefusalRule("non_finite_gradient", rule("non_finite_gradient", ""), clock);
        var params = new GuardRefusalRule("non_finite_parameters", rule("non_finite_parameters", ""), clock);
        var g = rejected(3, "non_finite_gradient", Double.POSITIVE_INFINITY);
        var p = rejected(4, "non_finite_parameters", Double.NaN);
        assertEquals(1, grad.onRejected(g).size());
        assertTrue(grad.onRejected(p).isEmpty());
        assertEquals(1, params.onRejected(p).size());
        assertTrue(params.onRejected(g).isEmpty());
        Alert a = grad.onRejected(g).get(0);
        assertEquals("non_finite_gradient", a.kind());
        assertTrue(a.message().contains("gradient norm is Infinity at update 3"), a.message());
        assertTrue(a.message().contains("clip"), a.message());
        assertFalse(a.message().contains("Exception"), a.message());
        assertEquals("non_finite_parameters", params.onRejected(p).get(0).kind());
    }
}
