package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.DeploySettings;
import dev.streamtrain.core.events.ValidationMetrics;
import org.junit.jupiter.api.Test;

class PromotionPolicyTest {
    private static VersionStore.Info candidate(double valLoss) {
        return new VersionStore.Info("v000000200", 200, "ckpt", "val_loss", valLoss, 10, 1e-7, 1e-5, "candidate", "",
                0, null, "");
    }

    private static ServedModel serving(double valLoss) {
        ValidationMetrics m = Double.isNaN(valLoss) ? null
                : new ValidationMetrics("j", 100, 1000, 10, valLoss, 0.9, 0);
        return new ServedModel("v000000100", 100, 3, "softmax", null, m, 0, "");
    }

    @Test
    void theFirstServesThenOnlyABetterOneByMinDelta() {
        var policy = new PromotionPolicy(new DeploySettings(0, 60, "val_loss", "min", 0.01, 5));
        assertTrue(policy.decide(candidate(0.5), null, Double.NaN, "test").promote());
        assertTrue(policy.decide(candidate(0.30), serving(0.32), 0.32, "test").promote(), "0.30 < 0.32 - 0.01");
        PromotionPolicy.Decision close = policy.decide(candidate(0.315), serving(0.32), 0.32, "test");
        assertFalse(close.promote(), "better, but by less than min_delta");
        assertTrue(close.reason().contains("v000000100 keeps serving"), close.reason());
        assertEquals(0.32, close.servingValue());
        assertEquals("model_rejected", close.event("j", candidate(0.315)).eventType());
        assertFalse(policy.decide(candidate(0.40), serving(0.32), 0.32, "test").promote(), "worse");
        assertFalse(policy.decide(candidate(Double.NaN), serving(0.32), 0.32, "test").promote(), "no metric against one");
        assertTrue(policy.decide(candidate(0.40), serving(Double.NaN), Double.NaN, "test").promote(), "the serving one has none");
        assertTrue(policy.decide(candidate(Double.NaN), serving(Double.NaN), Double.NaN, "test").promote(), "neither: the newer");
    }

    @Test
    void modeMaxWantsHigher() {
        var policy = new PromotionPolicy(new DeploySettings(0, 60, "val_accuracy", "max", 0, 5));
        var better = new VersionStore.Info("v2", 2, "c", "val_accuracy", 0.95, 1, 0, 1e-5, "candidate", "", 0, null, "");
        var worse = new VersionStore.Info("v2", 2, "c", "val_accuracy", 0.85, 1, 0, 1e-5, "candidate", "", 0, null, "");
        assertTrue(policy.decide(better, serving(0.3), 0.9, "test").promote(), "0.95 > 0.9");
        assertFalse(policy.decide(worse, serving(0.3), 0.9, "test").promote(), "0.85 < 0.9");
        assertEquals("model_promoted", policy.decide(better, serving(0.3), 0.9, "test").event("j", better).eventType());
    }

    @Test
    void cadenceFirstThenEveryNUpdatesOrSeconds() {
        var cadence = new CandidateCadence(new DeploySettings(100, 60, "val_loss", "min", 0, 5));
        assertTrue(cadence.due(50, 0), "the first checkpoint");
        cadence.exported(50, 0);
        assertFalse(cadence.due(100, 1000));
        assertTrue(cadence.due(150, 1000), "100 updates later");
        assertTrue(cadence.due(60, 60_000), "60 s later");
        assertTrue(cadence.due(20, 1000), "a rollback went back past it");
        var off = new CandidateCadence(DeploySettings.defaults(true));
        assertFalse(off.due(50, 0), "a bounded run's default: the final model only");
        assertTrue(new CandidateCadence(DeploySettings.defaults(false)).due(50, 0), "an endless run's default");
    }
}
