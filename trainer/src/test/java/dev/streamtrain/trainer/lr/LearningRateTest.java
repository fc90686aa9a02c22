package dev.streamtrain.trainer.lr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateTest {

    @Test
    void warmupThenCosineToTheFloor() {
        var s = new WarmupCosineSchedule(0.1, 4, 14, 0.001);
        assertEquals(0.025, s.lr(0), 1e-12);
        assertEquals(0.1, s.lr(3), 1e-12);
        assertEquals(0.1, s.lr(4), 1e-12, "cosine starts at the peak");
        assertEquals(0.001 + 0.099 * 0.5, s.lr(9), 1e-12, "half-way");
        assertEquals(0.001, s.lr(14), 1e-12);
        assertEquals(0.001, s.lr(1000), 1e-12, "held at the floor");
        assertEquals(0.1, new WarmupCosineSchedule(0.1, 0, 0, 0).lr(99), 0);
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(0.1, 10, 10, 0));
    }

    @Test
    void plateauReducesOnThePatiencePlusFirstBadObservation() {
        var p = new PlateauController(0.5, 2, 0.0, 0);
        var s = PlateauController.State.initial();
        s = p.observe(s, 1.0);            // best
        s = p.observe(s, 1.0);            // bad 1
        s = p.observe(s, 1.0);            // bad 2
        assertEquals(1.0, s.scale());
        s = p.observe(s, 1.0);            // bad 3 > patience: reduce
        assertEquals(0.5, s.scale());
        assertEquals(0, s.badObservations());
    }

    @Test
    void plateauHonoursThresholdCooldownAndNaN() {
        var p = new PlateauController(0.1, 0, 0.1, 1);
        var s = p.observe(PlateauController.State.initial(), 1.0);
        s = p.observe(s, 0.95);           // not 10% better: bad, patience 0 -> reduce, cooldown 1
        assertEquals(0.1, s.scale(), 1e-12);
        s = p.observe(s, 5.0);            // in cooldown: not counted
        assertEquals(0.1, s.scale(), 1e-12);
        s = p.observe(s, Double.NaN);     // NaN is bad
        assertEquals(0.01, s.scale(), 1e-12);
        assertEquals(2, s.reductions());
    }

    @Test
    void controlAppliesScaleAndFloor() {
        var c = new LearningRateControl(new WarmupCosineSchedule(0.1, 0, 0, 0), new PlateauController(0.1, 0, 0, 0), 0.005);
        assertEquals(0.1, c.prepare(0), 1e-9);
        c.observeValidationLoss(1.0);
        c.observeValidationLoss(1.0);
        assertEquals(0.01, c.prepare(1), 1e-9);
        assertEquals(0.01f, c.tracker().getNewValue(1), 1e-9);
        c.observeValidationLoss(1.0);
        assertEquals(0.005, c.prepare(2), 1e-9, "min_lr floor");
    }
}
