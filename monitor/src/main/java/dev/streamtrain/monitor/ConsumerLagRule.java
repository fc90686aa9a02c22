package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.IngestMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code consumer_lag}: the records waiting on the training topics (the sum of every partition's lag) exceed
 * {@code max-records}: training falls behind the producers, so the model learns from older and older data.
 *
 * <p>A lasting backlog alerts once when it crosses the bound; the rule re-arms when the lag is back within it, so
 * every ingest report does not raise an alert.
 */
public final class ConsumerLagRule implements MetricRule {
    static final String KIND = "consumer_lag";
    private final Findings findings;
    private final double maxRecords;
    private boolean above;

    public ConsumerLagRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.maxRecords = settings.get("max-records");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onIngest(IngestMetrics m) {
        long lag = totalLag(m);
        boolean was = above;
        above = lag > maxRecords;
        if (!above || was) {
            return List.of();
        }
        return findings.alert(m.job(), lag + " records are waiting on the training topics (bound "
                + Findings.num(maxRecords) + ", reading " + Findings.num(m.recordsPerSecond()) + " records/s):"
                + " training falls behind the producers; use larger minibatches, a faster model, or fewer producers",
                0, lag, Map.of("lag", (double) lag, "maxRecords", maxRecords,
                        "recordsPerSecond", m.recordsPerSecond()));
    }

    /** Sum of the per-partition lags (negative entries, which a racing end offset can give, count as 0). */
    static long totalLag(IngestMetrics m) {
        return m.lag().values().stream().mapToLong(v -> Math.max(0, v)).sum();
    }
}
