package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.IngestMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code stalled_ingest}: ingest read no record for {@code after-ms} milliseconds (time from the monitor's
 * clock) although the training topics have records waiting (total lag &gt; 0) and consumption is not paused by
 * back-pressure. A pause or an empty backlog is not a stall, so either restarts the wait.
 *
 * <p>A stall alerts once; the rule re-arms when records flow again.
 */
public final class StalledIngestRule implements MetricRule {
    static final String KIND = "stalled_ingest";
    private final Findings findings;
    private final long afterMillis;
    private long lastRecords = -1;
    private long since;
    private boolean alerted;

    public StalledIngestRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.afterMillis = (long) settings.get("after-ms");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onIngest(IngestMetrics m) {
        long now = findings.now();
        long lag = ConsumerLagRule.totalLag(m);
        if (m.records() != lastRecords || m.paused() || lag <= 0) {
            lastRecords = m.records();
            since = now;
            alerted = false;
            return List.of();
        }
        long stalled = now - since;
        if (alerted || stalled < afterMillis) {
            return List.of();
        }
        alerted = true;
        return findings.alert(m.job(), "ingest read no record for " + stalled / 1000 + " s although " + lag
                + " records are waiting on " + String.join(", ", m.topics()) + " and consumption is not paused:"
                + " check the broker connection, the consumer's authorisation and the ingest log", 0, lag,
                Map.of("stalledMillis", (double) stalled, "lag", (double) lag, "records", (double) m.records()));
    }
}
