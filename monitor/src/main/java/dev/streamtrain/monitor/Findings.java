package dev.streamtrain.monitor;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.config.RuleCatalog;
import dev.streamtrain.core.events.Alert;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every rule shares: its kind, severity and clock, and the way an alert is built and numbers are written in
 * messages (four significant digits, so a message reads like the dashboard).
 */
final class Findings {
    private final String kind;
    private final String severity;
    private final Clock clock;

    Findings(String kind, String severity, Clock clock) {
        this.kind = kind;
        this.severity = severity;
        this.clock = clock;
    }

    /** From a rule's settings (kind and configured severity). */
    static Findings of(MonitorSettings.Rule rule, Clock clock) {
        return new Findings(rule.kind(), rule.severity(), clock);
    }

    /** With the catalog's default severity, for rules built without a job file. */
    static Findings ofDefault(String kind, Clock clock) {
        return new Findings(kind, RuleCatalog.of(kind).severity(), clock);
    }

    String kind() {
        return kind;
    }

    /** One finding as a list (the rule methods' return type). */
    List<Alert> alert(String job, String message, long update, double value, Map<String, Double> evidence,
            List<OffsetRange> offsets) {
        return List.of(new Alert(job, kind, severity, message, update, value, evidence, offsets, 1, clock.millis()));
    }

    List<Alert> alert(String job, String message, long update, double value, Map<String, Double> evidence) {
        return alert(job, message, update, value, evidence, List.of());
    }

    long now() {
        return clock.millis();
    }

    /** A number for people: four significant digits, NaN and Infinity spelled out. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains("e") || s.contains("E")) {
            return s;
        }
        // %g pads with zeros ("0.5000"); trailing zeros add nothing for people
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** A share as a percentage, e.g. {@code 12.5%}. */
    static String percent(double fraction) {
        return num(100 * fraction) + "%";
    }

    /** Total records in some offset ranges. */
    /** "1 record", "3 records". */
    static String records(long n) {
        return n + (n == 1 ? " record" : " records");
    }

    static long records(List<OffsetRange> ranges) {
        return ranges.stream().mapToLong(OffsetRange::count).sum();
    }
}
