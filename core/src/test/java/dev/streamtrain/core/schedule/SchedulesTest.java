package dev.streamtrain.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.streamtrain.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native schedules, composition, restart-on-plateau, clocks, argument errors and state round trips. */
class SchedulesTest {
    private static final double EPS = 1e-12;

    static LrPolicy policy(String yaml) throws Exception {
        return ScheduleSpecs.parseDocument(new YAMLMapper().readTree(yaml), "test").policy();
    }

    static double lr(LrPolicy p, long t) {
        return p.lr(t, p.initialState());
    }

    @Test
    void nativeSchedulesFollowTheirFormulas() throws Exception {
        LrPolicy inv = policy("{scheduler: InverseTimeLR, base_lr: 0.2, params: {k: 0.5}}");
        assertEquals(0.2, lr(inv, 0), EPS);
        assertEquals(0.2 / 3, lr(inv, 4), EPS);

        LrPolicy wc = policy("{scheduler: WarmupCosine, base_lr: 1.0, params: {warmup_steps: 4, total_steps: 12}}");
        assertEquals(0.0, lr(wc, 0), EPS, "t/w at 0");
        assertEquals(0.5, lr(wc, 2), EPS);
        assertEquals(1.0, lr(wc, 4), EPS, "t <= w uses t/w, 1 at w");
        assertEquals(0.5 * (Math.cos(1.0 / 8 * Math.PI) + 1), lr(wc, 5), EPS);
        assertEquals(0.5, lr(wc, 8), EPS);
        assertEquals(0.0, lr(wc, 12), EPS);
        assertEquals(0.5 * (Math.cos(36.0 / 8 * Math.PI) + 1), lr(wc, 40), EPS, "past T the formula goes on");
        LrPolicy held = policy("{scheduler: WarmupCosine, base_lr: 1.0, params: {warmup_steps: 4, total_steps: 12,"
                + " hold_after_total: true}}");
        assertEquals(0.0, lr(held, 40), EPS, "hold_after_total: stays 0 past T");

        LrPolicy wms = policy("{scheduler: WarmupMultiStep, base_lr: 1.0, params: {warmup_steps: 2, milestones: [3, 5], gamma: 0.5}}");
        double[] expected = {0, 0.5, 1.0, 0.5, 0.5, 0.25, 0.25};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], lr(wms, t), EPS, "WarmupMultiStep t=" + t);
        }

        LrPolicy hold = policy("{scheduler: HoldCosine, base_lr: 1.0, params: {hold_steps: 3, total_steps: 7, eta_min: 0.1}}");
        assertEquals(1.0, lr(hold, 2), EPS);
        assertEquals(1.0, lr(hold, 3), EPS);
        assertEquals(0.55, lr(hold, 5), EPS);
        assertEquals(0.1, lr(hold, 7), EPS);
        assertEquals(0.1, lr(hold, 100), EPS);

        LrPolicy sgdr = policy("{scheduler: SGDR, base_lr: 1.0, params: {T_0: 2, T_mult: 2, decay: 0.5}}");
        assertEquals(1.0, lr(sgdr, 0), EPS);
        assertEquals(0.5, lr(sgdr, 2), EPS, "second cycle peak decayed once");
        assertEquals(0.25, lr(sgdr, 6), EPS, "third cycle (starts at 2+4) decayed twice");
    }

    @Test
    void warmupWrapperRisesToTheWrappedScheduleThenRunsItFromZero() throws Exception {
        LrPolicy p = policy("""
                {scheduler: warmup, base_lr: 0.4, params: {warmup_steps: 4, start_factor: 0.25,
                 schedule: {scheduler: StepLR, params: {step_size: 2, gamma: 0.5}}}}""");
        double[] expected = {0.1, 0.175, 0.25, 0.325, 0.4, 0.4, 0.2, 0.2, 0.1};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], lr(p, t), EPS, "t=" + t);
        }
        LrPolicy constant = policy("{scheduler: warmup, base_lr: 0.4, params: {warmup_steps: 2, mode: constant, start_factor: 0.1}}");
        assertEquals(0.04, lr(constant, 1), EPS);
        assertEquals(0.4, lr(constant, 2), EPS);
    }

    @Test
    void plateauComposesWithWarmupAndWithCyclesAndRespectsMinLr() throws Exception {
        LrController warm = new LrController(policy("""
                {scheduler: ReduceLROnPlateau, base_lr: 1.0, params: {patience: 0, factor: 0.5, min_lr: 0.05,
                 schedule: {scheduler: LinearLR, params: {start_factor: 0.1, total_iters: 10}}}}"""));
        assertEquals(0.1, warm.lr(0), EPS);
        warm.observe(1.0, 2);                                   // best
        var d = warm.observe(1.0, 2).orElseThrow();             // bad 1 > patience 0
        assertEquals(ReduceLROnPlateau.Action.REDUCED, d.action());
        assertEquals(0.28, d.oldLr(), EPS);
        assertEquals(0.14, warm.lr(2), EPS);
        assertEquals(0.5, warm.lr(10), EPS, "the warm-up keeps rising under the halved scale");
        warm.observe(1.0, 2);                                   // 0.14 -> 0.07
        warm.observe(1.0, 2);                                   // 0.07 -> max(0.035, min_lr) = 0.05: applied
        assertEquals(0.05, warm.lr(2), EPS, "min_lr floor");
        assertTrue(warm.observe(1.0, 2).isEmpty(), "0.05 -> 0.05 is below eps: skipped");
        assertEquals(3, warm.snapshot().reductions());
        assertEquals(0.125, warm.lr(10), EPS, "three reductions applied to the schedule");
        assertEquals(0.05, warm.lr(0), EPS, "the floor also holds under the warm-up (max(min_lr, schedule * scale))");

        LrController cyc = new LrController(policy("""
                {scheduler: ReduceLROnPlateau, base_lr: 1.0, params: {patience: 0, factor: 0.5,
                 schedule: {scheduler: CyclicLR, params: {base_lr: 0.2, max_lr: 1.0, step_size_up: 2}}}}"""));
        assertEquals(1.0, cyc.lr(2), EPS);
        cyc.observe(1.0, 2);
        cyc.observe(1.0, 2);
        assertEquals(0.5, cyc.lr(6), EPS, "amplitude (and base) shrink with the plateau scale");
        assertEquals(0.8, cyc.momentum(6).orElseThrow(), EPS, "momentum cycling is unaffected");
    }

    @Test
    void restartOnPlateauReturnsToThePeakDecayed() throws Exception {
        LrController c = new LrController(policy("""
                {scheduler: ReduceLROnPlateau, base_lr: 1.0, params: {patience: 1, on_plateau: restart, restart_decay: 0.5,
                 schedule: {scheduler: CosineAnnealingLR, params: {T_max: 100}}}}"""));
        c.observe(1.0, 10);
        c.observe(1.0, 30);
        double before = c.lr(50);
        var d = c.observe(1.0, 50).orElseThrow();
        assertEquals(ReduceLROnPlateau.Action.RESTARTED, d.action());
        assertEquals(before, d.oldLr(), EPS);
        assertEquals(0.5, d.newLr(), EPS, "back to the peak, decayed by 0.5");
        assertEquals(0.5, c.lr(50), EPS);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 20 / 100)) / 2, c.lr(70), EPS, "the cosine runs again from the restart");
        assertEquals(1, c.snapshot().restarts());
    }

    @Test
    void stateRoundTripsThroughJsonAndResumesTheSameDecisions() throws Exception {
        String spec = "{scheduler: ReduceLROnPlateau, base_lr: 0.1, params: {patience: 1, cooldown: 1}}";
        LrController a = new LrController(policy(spec));
        for (double m : new double[] {1.0, 0.9, 0.95, 0.97}) {
            a.observe(m, 0);
        }
        ObjectMapper json = new ObjectMapper();
        String saved = json.writeValueAsString(a.snapshot());
        LrController b = new LrController(policy(spec));
        b.restore(json.readValue(saved, ReduceLROnPlateau.State.class));
        assertEquals(a.snapshot(), b.snapshot());
        for (double m : new double[] {0.99, 0.99, 0.99, 0.5, 0.6, 0.6}) {
            assertEquals(a.observe(m, 0).isPresent(), b.observe(m, 0).isPresent());
            assertEquals(a.lr(0), b.lr(0), 0);
        }
        assertEquals(a.snapshot(), b.snapshot());
    }

    @Test
    void clocksCountUpdatesSamplesEvaluationsOrEpochs() throws Exception {
        LrPolicy p = policy("{scheduler: StepLR, base_lr: 1.0, params: {step_size: 2}, clock: {unit: epochs, epoch_updates: 100}}");
        assertEquals(3, p.clock().step(399, 12_800, 7));
        assertEquals(0.1, lr(p, p.clock().step(250, 0, 0)), EPS);
        assertEquals(12_800, new ScheduleClock("samples", 1).step(399, 12_800, 7));
        assertEquals(7, new ScheduleClock("evaluations", 1).step(399, 12_800, 7));
        assertThrows(ConfigException.class, () -> policy("{scheduler: StepLR, params: {step_size: 2}, clock: {unit: epochs}}"));
    }

    @Test
    void badArgumentsNameTheArgumentTheValueAndTheRule() {
        assertEquals("step_size must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new StepLR(0.1, 0, 0.1)).getMessage());
        assertEquals("milestones must be increasing, got [5, 3]",
                assertThrows(IllegalArgumentException.class, () -> new MultiStepLR(0.1, List.of(5L, 3L), 0.1)).getMessage());
        assertEquals("T_max must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(0.1, 0, 0)).getMessage());
        assertEquals("factor must be in (0, 1) (a reduction), got 1.5", assertThrows(IllegalArgumentException.class,
                () -> new ReduceLROnPlateau("min", 1.5, 1, 0, "rel", 0, 0, 0, "reduce", 1)).getMessage());
        assertEquals("gamma must be > 0 and finite, got -0.5",
                assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(0.1, -0.5)).getMessage());
        assertEquals("total_steps must be >= 11, got 10",
                assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1, 10, 10, false)).getMessage());
    }

    @Test
    void specProblemsAreListedWithTheirKeyPaths() throws Exception {
        JsonNode bad = new YAMLMapper().readTree("""
                scheduler: SequentialLR
                base_lr: 0.1
                params:
                  milestones: [3]
                  schedulers:
                    - {scheduler: StepLR, params: {step_size: 0}}
                    - {scheduler: CosineAnnealingLR, params: {Tmax: 10}}
                    - {scheduler: Nope}
                  extra: 1
                """);
        var e = assertThrows(ConfigException.class, () -> ScheduleSpecs.parseDocument(bad, "spec.yaml"));
        List<String> p = e.problems();
        assertTrue(p.contains("params.schedulers[0].params: step_size must be >= 1, got 0"), p::toString);
        assertTrue(p.contains("params.schedulers[1].params.T_max: is required"), p::toString);
        assertTrue(p.contains("params.schedulers[1].params.Tmax: unknown key (did you mean 'params.schedulers[1].params.T_max'?)"), p::toString);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("params.schedulers[2].scheduler: must be one of")), p::toString);
        assertTrue(p.contains("params.extra: unknown key"), p::toString);
        assertEquals(5, p.size(), p::toString);

        var nested = assertThrows(ConfigException.class, () -> ScheduleSpecs.parseDocument(new YAMLMapper().readTree(
                "{scheduler: ChainedScheduler, params: {schedulers: [{scheduler: ReduceLROnPlateau}]}}"), "x"));
        assertTrue(nested.problems().get(0).contains("only be the outermost"), nested.getMessage());
    }
}
