package dev.streamtrain.monitor;

import static dev.streamtrain.monitor.Streams.ingest;
import static dev.streamtrain.monitor.Streams.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Alert;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stalled ingest, consumer lag and dead-letter rate on scripted ingest reports and an advancing clock. */
class IngestRulesTest {
    private final TestClock clock = new TestClock(1_000_000);
    private static final Map<String, Long> LAG = Map.of("t-0", 500L, "t-1", 20L);

    @Test
    void noRecordsForAfterMsWithLagAndNotPausedIsAStallAlertedOnce() {
        var rule = new StalledIngestRule(rule("stalled_ingest", "after-ms: 30000"), clock);
        assertTrue(rule.onIngest(ingest(1000, LAG, false, Map.of())).isEmpty());
        clock.advance(20_000);
        assertTrue(rule.onIngest(ingest(1000, LAG, false, Map.of())).isEmpty(), "20 s: not yet");
        clock.advance(15_000);
        List<Alert> alerts = rule.onIngest(ingest(1000, LAG, false, Map.of()));
        assertEquals(1, alerts.size());
        assertEquals(520.0, alerts.get(0).value(), "the waiting records");
        assertEquals(35_000.0, alerts.get(0).evidence().get("stalledMillis"));
        clock.advance(10_000);
        assertTrue(rule.onIngest(ingest(1000, LAG, false, Map.of())).isEmpty(), "once per stall");
        rule.onIngest(ingest(1100, LAG, false, Map.of()));
        clock.advance(31_000);
        assertEquals(1, rule.onIngest(ingest(1100, LAG, false, Map.of())).size(), "re-armed after records flowed");
    }

    @Test
    void aPauseOrAnEmptyBacklogIsNotAStall() {
        var rule = new StalledIngestRule(rule("stalled_ingest", "after-ms: 30000"), clock);
        rule.onIngest(ingest(1000, LAG, false, Map.of()));
        for (int i = 0; i < 5; i++) {
            clock.advance(20_000);
            assertTrue(rule.onIngest(ingest(1000, LAG, true, Map.of())).isEmpty(), "paused by back-pressure");
        }
        for (int i = 0; i < 5; i++) {
            clock.advance(20_000);
            assertTrue(rule.onIngest(ingest(1000, Map.of("t-0", 0L), false, Map.of())).isEmpty(), "nothing waiting");
        }
    }

    @Test
    void lagAboveTheBoundAlertsWhenItCrosses() {
        var rule = new ConsumerLagRule(rule("consumer_lag", "max-records: 1000"), clock);
        assertTrue(rule.onIngest(ingest(1, Map.of("t-0", 600L, "t-1", 400L), false, Map.of())).isEmpty(), "1000");
        List<Alert> alerts = rule.onIngest(ingest(2, Map.of("t-0", 600L, "t-1", 401L), false, Map.of()));
        assertEquals(1, alerts.size());
        assertEquals(1001.0, alerts.get(0).value());
        assertTrue(rule.onIngest(ingest(3, Map.of("t-0", 5000L), false, Map.of())).isEmpty(), "still above");
        rule.onIngest(ingest(4, Map.of("t-0", 10L), false, Map.of()));
        assertEquals(1, rule.onIngest(ingest(5, Map.of("t-0", 5000L), false, Map.of())).size(), "crossed again");
    }

    @Test
    void deadLetterShareBetweenReportsAboveTheBoundAlerts() {
        var rule = new DeadLetterRateRule(rule("dead_letter_rate", ""), clock);
        assertTrue(rule.onIngest(ingest(1000, LAG, false, Map.of("undecodable", 100L))).isEmpty(), "first: baseline");
        // 1000 more read, 10 more dead: 1%
        assertTrue(rule.onIngest(ingest(2000, LAG, false, Map.of("undecodable", 110L))).isEmpty());
        // 1000 more, 60 + 40 dead: 10% > 5%
        List<Alert> alerts = rule.onIngest(ingest(3000, LAG, false,
                Map.of("undecodable", 170L, "label_out_of_range", 40L)));
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals(0.1, a.value(), 1e-12);
        assertEquals(60.0, a.evidence().get("reason:undecodable"));
        assertEquals(40.0, a.evidence().get("reason:label_out_of_range"));
        assertTrue(a.message().startsWith("10% of the 1000 records"), a.message());
        assertTrue(a.message().contains("undecodable 60"), a.message());
    }

    @Test
    void deadLetterShareWaitsForMinRecords() {
        var rule = new DeadLetterRateRule(rule("dead_letter_rate", "min-records: 100"), clock);
        rule.onIngest(ingest(0, LAG, false, Map.of()));
        assertTrue(rule.onIngest(ingest(50, LAG, false, Map.of("undecodable", 40L))).isEmpty(), "50 < 100 records");
        List<Alert> alerts = rule.onIngest(ingest(120, LAG, false, Map.of("undecodable", 40L)));
        assertEquals(1, alerts.size(), "judged over the carried-over interval: 40 of 120");
        assertEquals(40.0 / 120, alerts.get(0).value(), 1e-12);
    }
}
