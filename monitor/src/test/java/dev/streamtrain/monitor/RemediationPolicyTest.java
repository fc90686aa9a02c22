package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.RemediationSettings;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Alert;
import org.junit.jupiter.api.Test;

class RemediationPolicyTest {
    private final TestClock clock = new TestClock(9);

    private static RemediationSettings settings(String yaml) {
        return Streams.config(yaml).remediation();
    }

    private static Alert alert(String kind, long update) {
        return new Alert("j", kind, "critical", "m", update, Double.NaN, 0);
    }

    @Test
    void defaultActionsMapKindsToCommands() {
        var policy = new RemediationPolicy(settings("remediation: {cooldown-updates: 0}"), clock);
        assertTrue(policy.decide(alert("loss_spike", 139), 9).isEmpty(), "a spike alerts only, by default");
        var rollback = assertInstanceOf(TrainerCommand.Rollback.class,
                policy.decide(alert("non_finite_loss", 140), 10).orElseThrow().command());
        assertEquals("non_finite_loss", rollback.reason());
        assertEquals(140, rollback.beforeUpdate(), "restore a state from before the alert's update");
        var scale = assertInstanceOf(TrainerCommand.ScaleLr.class,
                policy.decide(alert("divergence", 300), 11).orElseThrow().command());
        assertEquals(0.5, scale.factor());
        assertEquals("divergence", scale.reason());
        assertTrue(policy.decide(alert("plateau", 300), 12).isEmpty(), "none");
        assertTrue(policy.decide(alert("overfitting", 300), 13).isEmpty(), "none by default");
    }

    @Test
    void stopActionAsksToStopWithoutRestoringAndThenNothingMore() {
        var policy = new RemediationPolicy(settings("""
                remediation:
                  cooldown-updates: 0
                  actions: {overfitting: stop}
                """), clock);
        var stop = assertInstanceOf(TrainerCommand.Stop.class,
                policy.decide(alert("overfitting", 900), 5).orElseThrow().command());
        assertFalse(stop.restoreBest());
        assertTrue(stop.reason().contains("overfitting"), stop.reason());
        assertTrue(policy.stopped());
        assertTrue(policy.decide(alert("loss_spike", 901), 50).isEmpty());
    }

    @Test
    void alertsInsideTheCooldownAreNotActedOn() {
        var policy = new RemediationPolicy(settings("remediation: {cooldown-updates: 20}"), clock);
        assertTrue(policy.decide(alert("non_finite_gradient", 100), 100).isPresent());
        assertTrue(policy.coolingDown(119));
        assertTrue(policy.decide(alert("non_finite_gradient", 119), 119).isEmpty(), "19 updates later");
        assertTrue(policy.decide(alert("divergence", 119), 119).isEmpty(), "cooldown covers every kind");
        assertFalse(policy.coolingDown(120));
        assertTrue(policy.decide(alert("non_finite_gradient", 120), 120).isPresent(), "20 updates later");
    }

    @Test
    void oneRollbackTooManyInTheWindowStopsWithACriticalAlert() {
        var policy = new RemediationPolicy(settings("""
                remediation: {cooldown-updates: 0, max-rollbacks: 2, window-updates: 100}
                """), clock);
        assertInstanceOf(TrainerCommand.Rollback.class, policy.decide(alert("non_finite_gradient", 10), 10).orElseThrow()
                .command());
        assertInstanceOf(TrainerCommand.Rollback.class, policy.decide(alert("non_finite_loss", 50), 50).orElseThrow()
                .command());
        assertEquals(2, policy.rollbacksInWindow(60));
        var decision = policy.decide(alert("non_finite_gradient", 80), 80).orElseThrow();
        var stop = assertInstanceOf(TrainerCommand.Stop.class, decision.command());
        assertTrue(stop.reason().startsWith("rollback_budget_exhausted:"), stop.reason());
        assertEquals(1, decision.alerts().size());
        Alert exhausted = decision.alerts().get(0);
        assertEquals("rollback_budget_exhausted", exhausted.kind());
        assertTrue(exhausted.critical());
        assertEquals(80, exhausted.update());
        assertEquals(9, exhausted.timeMillis());
        assertEquals(2.0, exhausted.evidence().get("rollbacks"));
        assertTrue(policy.stopped());
    }

    @Test
    void rollbacksOutsideTheSlidingWindowAreForgotten() {
        var policy = new RemediationPolicy(settings("""
                remediation: {cooldown-updates: 0, max-rollbacks: 2, window-updates: 100}
                """), clock);
        policy.decide(alert("non_finite_gradient", 10), 10);
        policy.decide(alert("non_finite_gradient", 50), 50);
        assertEquals(1, policy.rollbacksInWindow(110), "the one at 10 is 100 updates old");
        assertInstanceOf(TrainerCommand.Rollback.class, policy.decide(alert("non_finite_gradient", 110), 110).orElseThrow()
                .command());
        assertFalse(policy.stopped());
    }

    @Test
    void aRefusedRollbackGivesItsBudgetBack() {
        var policy = new RemediationPolicy(settings("""
                remediation: {cooldown-updates: 0, max-rollbacks: 1, window-updates: 1000}
                """), clock);
        var first = policy.decide(alert("non_finite_gradient", 10), 10).orElseThrow().command();
        assertEquals(1, policy.rollbacksInWindow(10));
        policy.refused(first);
        assertEquals(0, policy.rollbacksInWindow(10));
        assertInstanceOf(TrainerCommand.Rollback.class, policy.decide(alert("non_finite_gradient", 20), 20).orElseThrow()
                .command(), "budget given back: a rollback, not a stop");
        assertInstanceOf(TrainerCommand.Stop.class, policy.decide(alert("non_finite_gradient", 30), 30).orElseThrow()
                .command(), "now the budget is spent");
    }

    @Test
    void zeroRollbacksAllowedStopsAtTheFirst() {
        var policy = new RemediationPolicy(settings("remediation: {max-rollbacks: 0}"), clock);
        assertInstanceOf(TrainerCommand.Stop.class, policy.decide(alert("non_finite_gradient", 10), 10).orElseThrow()
                .command());
    }
}
