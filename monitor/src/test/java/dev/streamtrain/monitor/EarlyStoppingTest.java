package dev.streamtrain.monitor;

import static dev.streamtrain.monitor.Streams.acc;
import static dev.streamtrain.monitor.Streams.step;
import static dev.streamtrain.monitor.Streams.val;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.control.TrainerCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lightning EarlyStopping semantics (plus Keras' baseline and start_from_epoch as warmup). */
class EarlyStoppingTest {
    private static EarlyStopping es(String keys) {
        var s = Streams.config("early-stopping: {" + keys + "}").earlyStopping();
        assertTrue(s.enabled());
        return new EarlyStopping(s);
    }

    /** Feeds validation losses at updates 100, 200, ...; returns the index of the one that stopped, or -1. */
    private static int stopsAt(EarlyStopping es, List<String> reasons, double... losses) {
        for (int i = 0; i < losses.length; i++) {
            Optional<TrainerCommand.Stop> stop = es.onValidation(val(100L * (i + 1), losses[i]));
            if (stop.isPresent()) {
                reasons.add(stop.get().reason());
                return i;
            }
        }
        return -1;
    }

    @Test
    void stopsAfterPatienceEvaluationsWithoutImprovement() {
        var es = es("patience: 3");
        List<String> reasons = new ArrayList<>();
        assertEquals(5, stopsAt(es, reasons, 1.0, 0.8, 0.1234, 0.13, 0.2, 0.15, 0.01));
        assertEquals("early_stopping: val_loss did not improve for 3 evaluations (best 0.1234 at update 300)",
                reasons.get(0));
        assertEquals(0.1234, es.best());
        assertEquals(300, es.bestUpdate());
        assertTrue(es.stopped());
        assertTrue(es.onValidation(val(900, 5.0)).isEmpty(), "asks once");
    }

    @Test
    void anImprovementResetsTheWait() {
        var es = es("patience: 2");
        assertEquals(-1, stopsAt(es, new ArrayList<>(), 1.0, 1.1, 0.9, 1.0, 0.8, 0.85));
        assertEquals(1, es.waitCount());
    }

    @Test
    void improvementsSmallerThanMinDeltaDoNotCount() {
        var es = es("patience: 2, min_delta: 0.05");
        List<String> reasons = new ArrayList<>();
        // 0.97 and 0.96 are better than 1.0 but by less than 0.05
        assertEquals(2, stopsAt(es, reasons, 1.0, 0.97, 0.96));
        assertEquals(1.0, es.best());
        var plain = es("patience: 2");
        assertEquals(-1, stopsAt(plain, new ArrayList<>(), 1.0, 0.97, 0.96), "without min_delta they count");
    }

    @Test
    void warmupEvaluationsAreIgnored() {
        var es = es("patience: 1, warmup: 3");
        // the three warm-up values (even a NaN) change nothing; then 0.5 is the first best
        assertEquals(4, stopsAt(es, new ArrayList<>(), 0.1, Double.NaN, 0.05, 0.5, 0.6));
        assertEquals(0.5, es.best());
        assertEquals(400, es.bestUpdate());
    }

    @Test
    void theBaselineMustBeBeaten() {
        var es = es("patience: 2, baseline: 0.5");
        List<String> reasons = new ArrayList<>();
        assertEquals(1, stopsAt(es, reasons, 0.6, 0.55, 0.4));
        assertTrue(reasons.get(0).contains("nothing beat the baseline 0.5"), reasons.get(0));
        var ok = es("patience: 2, baseline: 0.5");
        assertEquals(-1, stopsAt(ok, new ArrayList<>(), 0.6, 0.45, 0.5));
        assertEquals(0.45, ok.best());
    }

    @Test
    void stoppingAndDivergenceThresholdsStopAtOnce() {
        List<String> reasons = new ArrayList<>();
        assertEquals(2, stopsAt(es("patience: 100, stopping_threshold: 0.1"), reasons, 0.5, 0.2, 0.09));
        assertTrue(reasons.get(0).contains("reached the stopping threshold 0.1"), reasons.get(0));
        assertEquals(-1, stopsAt(es("patience: 100, stopping_threshold: 0.1"), new ArrayList<>(), 0.5, 0.1),
                "strictly beyond (Lightning's torch.lt)");
        assertEquals(1, stopsAt(es("patience: 100, divergence_threshold: 3"), reasons, 0.5, 3.5));
        assertTrue(reasons.get(1).contains("worse than the divergence threshold 3"), reasons.get(1));
    }

    @Test
    void checkFiniteStopsOnNanAndOtherwiseNanJustWaits() {
        List<String> reasons = new ArrayList<>();
        assertEquals(1, stopsAt(es("patience: 5"), reasons, 0.5, Double.NaN));
        assertTrue(reasons.get(0).startsWith("early_stopping: val_loss is NaN at update 200"), reasons.get(0));
        var lenient = es("patience: 2, check_finite: false");
        assertEquals(2, stopsAt(lenient, new ArrayList<>(), 0.5, Double.NaN, Double.POSITIVE_INFINITY));
    }

    @Test
    void modeMaxWatchesAccuracyAndRestoreBestIsPassedOn() {
        var es = es("monitor: val_accuracy, patience: 2, restore_best: true");
        assertEquals(Optional.empty(), es.onValidation(acc(100, 0.7)));
        assertEquals(Optional.empty(), es.onValidation(acc(200, 0.8)));
        assertEquals(Optional.empty(), es.onValidation(acc(300, 0.79)));
        var stop = es.onValidation(acc(400, 0.75)).orElseThrow();
        assertTrue(stop.restoreBest());
        assertTrue(stop.reason().contains("val_accuracy did not improve for 2 evaluations (best 0.8 at update 200)"),
                stop.reason());
    }

    @Test
    void trainLossIsJudgedPerUpdateAndOtherMetricsAreIgnored() {
        var es = es("monitor: train_loss, patience: 2");
        assertTrue(es.onValidation(val(100, 9)).isEmpty());
        assertTrue(es.onStep(step(1, 1.0)).isEmpty());
        assertTrue(es.onStep(step(2, 1.1)).isEmpty());
        assertTrue(es.onStep(step(3, 1.2)).isPresent());
        var auc = es("monitor: val_auc, patience: 1");
        assertTrue(auc.active(), "val_<name> of the trainer's evaluations");
        for (int i = 1; i < 5; i++) {
            assertTrue(auc.onValidation(val(i, i)).isEmpty(), "evaluations without an auc are ignored");
        }
        var withAuc = new dev.streamtrain.core.events.ValidationMetrics("j", 5, 5, 100, 0.3, 0.9, 0, "holdout",
                java.util.Map.of("auc", 0.8), true);
        assertEquals("max", Streams.config("early-stopping: {monitor: val_auc}").earlyStopping().mode());
        var aucMax = es("monitor: val_auc, mode: max, patience: 1");
        assertTrue(aucMax.onValidation(withAuc).isEmpty());
        assertTrue(aucMax.onValidation(withAuc).isPresent(), "no improvement on 0.8 for one evaluation");
        var external = new EarlyStopping(Streams.config(
                "validation: {sources: [external]}\nearly-stopping: {monitor: business_loss, patience: 1}")
                .earlyStopping());
        assertFalse(external.active(), "only the external topic can deliver it");
        var m = new dev.streamtrain.core.events.ExternalMetric("j", "business_loss", 1.0, 10, -1, 0);
        assertTrue(external.onExternal(m).isEmpty());
        assertTrue(external.onExternal(new dev.streamtrain.core.events.ExternalMetric("j", "other", 9, 10, -1, 0))
                .isEmpty(), "another metric");
        assertTrue(external.onExternal(m).isPresent());
    }
}
