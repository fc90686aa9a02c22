package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Alert;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * At most one alert per kind per {@code throttleMillis} (setting {@code monitor.throttle-ms}; 0: no throttling).
 * Findings inside the window are not published but counted, and the next alert of that kind that is published
 * carries them in {@link Alert#repeats()} (itself included), so nothing is lost from the counts.
 *
 * <p>Windows are per kind and start at each published alert, measured on the injected clock. The throttle only
 * concerns what people and sinks see; remediation is throttled separately, in updates (see
 * {@link RemediationPolicy}).
 */
public final class AlertThrottle {
    private final long throttleMillis;
    private final Clock clock;
    private final Map<String, Long> lastPublished = new HashMap<>();
    private final Map<String, Long> folded = new HashMap<>();

    public AlertThrottle(long throttleMillis, Clock clock) {
        this.throttleMillis = throttleMillis;
        this.clock = clock;
    }

    /**
     * Offers a finding.
     *
     * @return the alert to publish, with {@code repeats} = the findings it stands for; empty when folded
     */
    public Optional<Alert> offer(Alert finding) {
        String kind = finding.kind();
        long now = clock.millis();
        long pending = folded.getOrDefault(kind, 0L) + finding.repeats();
        Long last = lastPublished.get(kind);
        if (throttleMillis > 0 && last != null && now - last < throttleMillis) {
            folded.put(kind, pending);
            return Optional.empty();
        }
        lastPublished.put(kind, now);
        folded.remove(kind);
        return Optional.of(finding.withRepeats(pending));
    }

    /** Findings of a kind folded since its last published alert. */
    public long pending(String kind) {
        return folded.getOrDefault(kind, 0L);
    }
}
