package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.RuleCatalog;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every rule, built by the factory with default settings, over healthy streams; and the factory itself. */
class HealthyRunTest {
    @Test
    void everyDefaultRuleStaysSilentOnAHealthyNoisyDecreasingRun() {
        for (long seed = 1; seed <= 5; seed++) {
            TestClock clock = new TestClock(0);
            List<MetricRule> rules = Rules.enabled(Streams.config("").monitor(), clock);
            assertEquals(RuleCatalog.kinds().size(), rules.size());
            List<Object> events = new ArrayList<>(Streams.healthyRun(seed, 1500));
            List<Alert> found = new ArrayList<>();
            long records = 0;
            long dead = 0;
            for (Object e : events) {
                for (MetricRule rule : rules) {
                    found.addAll(Streams.feed(rule, e));
                }
                if (e instanceof StepMetrics s && s.update() % 20 == 0) {
                    // an ingest report every 20 updates: records flow, 0.5% dead-lettered, small lag
                    clock.advance(5_000);
                    records += 640;
                    dead += 3;
                    var report = Streams.ingest(records, Map.of("t-0", 200L), false, Map.of("undecodable", dead));
                    for (MetricRule rule : rules) {
                        found.addAll(rule.onIngest(report));
                    }
                }
            }
            assertTrue(found.isEmpty(), "seed " + seed + ": " + found);
        }
    }

    @Test
    void theSameStreamWithOneSpikeIsCaughtSoTheHealthyTestCanFail() {
        TestClock clock = new TestClock(0);
        List<MetricRule> rules = Rules.enabled(Streams.config("").monitor(), clock);
        List<Alert> found = new ArrayList<>();
        for (Object e : Streams.healthyRun(1, 600)) {
            Object event = e instanceof StepMetrics s && s.update() == 400 ? Streams.step(400, s.loss() * 10) : e;
            for (MetricRule rule : rules) {
                found.addAll(Streams.feed(rule, event));
            }
        }
        assertEquals(1, found.size(), found.toString());
        assertEquals("loss_spike", found.get(0).kind());
        assertEquals(400, found.get(0).update());
    }

    @Test
    void disabledRulesAreNotCreatedAndSeveritiesComeFromTheSettings() {
        var settings = Streams.config("""
                monitor:
                  rules:
                    loss_spike: {enabled: false}
                    plateau: {severity: warning}
                """).monitor();
        List<MetricRule> rules = Rules.enabled(settings, new TestClock(0));
        List<String> kinds = rules.stream().map(MetricRule::kind).toList();
        assertFalse(kinds.contains("loss_spike"));
        assertEquals(RuleCatalog.kinds().size() - 1, kinds.size());
        assertEquals(RuleCatalog.kinds().stream().filter(k -> !k.equals("loss_spike")).toList(), kinds,
                "catalog order");
        MetricRule plateau = rules.stream().filter(r -> r.kind().equals("plateau")).findFirst().orElseThrow();
        var alert = plateau.onLrChanged(new dev.streamtrain.core.events.LrChanged("j", 1, 1, 0.1, 0.05,
                "plateau_reduce", 0.3, 0)).get(0);
        assertEquals("warning", alert.severity());
    }

    @Test
    void theMonitorHasARuleForEveryCatalogKind() {
        assertEquals(RuleCatalog.kinds(), Rules.kinds());
    }
}
