package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.IngestMetrics;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kind {@code dead_letter_rate}: more than {@code max-fraction} of the records read since the previous judged
 * report were dead-lettered, judged once at least {@code min-records} records were read. Ingest reports cumulative
 * counts; the rule differences them.
 *
 * <p>When an interval holds fewer than {@code min-records} records, its counts are carried into the next one rather
 * than dropped, so slow topics are still judged (over a longer interval) instead of never. Counters that go back
 * (ingest restarted) restart the interval.
 */
public final class DeadLetterRateRule implements MetricRule {
    static final String KIND = "dead_letter_rate";
    private final Findings findings;
    private final double maxFraction;
    private final double minRecords;
    private long baseRecords = -1;
    private Map<String, Long> baseDead = Map.of();

    public DeadLetterRateRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.maxFraction = settings.get("max-fraction");
        this.minRecords = settings.get("min-records");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onIngest(IngestMetrics m) {
        long deadNow = sum(m.deadLettered());
        if (baseRecords < 0 || m.records() < baseRecords || deadNow < sum(baseDead)) {
            restart(m);
            return List.of();
        }
        long read = m.records() - baseRecords;
        if (read <= 0 || read < minRecords) {
            return List.of();
        }
        Map<String, Long> byReason = new TreeMap<>();
        m.deadLettered().forEach((reason, n) -> {
            long d = n - baseDead.getOrDefault(reason, 0L);
            if (d > 0) {
                byReason.put(reason, d);
            }
        });
        long dead = byReason.values().stream().mapToLong(Long::longValue).sum();
        restart(m);
        double fraction = (double) dead / read;
        if (fraction <= maxFraction) {
            return List.of();
        }
        Map<String, Double> evidence = new LinkedHashMap<>();
        evidence.put("fraction", fraction);
        evidence.put("deadLettered", (double) dead);
        evidence.put("records", (double) read);
        evidence.put("maxFraction", maxFraction);
        byReason.forEach((reason, n) -> evidence.put("reason:" + reason, (double) n));
        StringBuilder reasons = new StringBuilder();
        byReason.forEach((reason, n) -> reasons.append(reasons.length() == 0 ? "" : ", ").append(reason).append(' ')
                .append(n));
        return findings.alert(m.job(), Findings.percent(fraction) + " of the " + read + " records read lately were"
                + " dead-lettered (" + reasons + "; bound " + Findings.percent(maxFraction) + "): check what the"
                + " producers write against the record format settings; the records are on the dead-letter topic",
                0, fraction, evidence);
    }

    private void restart(IngestMetrics m) {
        baseRecords = m.records();
        baseDead = m.deadLettered();
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
