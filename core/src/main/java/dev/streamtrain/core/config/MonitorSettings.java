package dev.streamtrain.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The monitor (section {@code monitor:}): its rules, how often one kind may alert, and where alerts go besides the
 * event bus, the {@code <job>.alerts} topic and the log.
 *
 * @param throttleMillis at most one alert per kind per this window; repeats inside it are counted into the next
 *     alert's {@code repeats} (0: every finding alerts)
 * @param webhooks HTTP endpoints that receive every alert as a JSON POST
 * @param rules every rule of {@link RuleCatalog} with its settings, by kind
 */
public record MonitorSettings(@JsonProperty("throttle-ms") long throttleMillis, List<Webhook> webhooks,
        Map<String, Rule> rules) {
    public MonitorSettings {
        webhooks = List.copyOf(webhooks);
        rules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    /**
     * A webhook: alerts are POSTed as JSON; a failed POST is retried with exponential back-off and never blocks
     * training.
     *
     * @param url http:// or https:// address
     * @param timeoutMillis per attempt
     * @param retries attempts after the first
     * @param backoffMillis wait before the first retry; doubled each time
     */
    public record Webhook(String url, @JsonProperty("timeout-ms") long timeoutMillis, int retries,
            @JsonProperty("backoff-ms") long backoffMillis) {
    }

    /**
     * One rule's settings.
     *
     * @param kind its alert kind
     * @param enabled whether it runs
     * @param severity severity of its alerts
     * @param params its keys (every key of its {@link RuleCatalog.Spec}, defaults filled in)
     */
    public record Rule(String kind, boolean enabled, String severity, Map<String, Double> params) {
        public Rule {
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        /** The job file's shape: {@code enabled}, {@code severity} and the rule's own keys side by side. */
        @JsonValue
        public Map<String, Object> asJobFile() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("enabled", enabled);
            out.put("severity", severity);
            params.forEach((key, v) -> out.put(key, RuleCatalog.WHOLE_NUMBER_KEYS.contains(key) ? (Object) v.longValue()
                    : (Object) v));
            return out;
        }

        /** A key's value. */
        public double get(String key) {
            Double v = params.get(key);
            if (v == null) {
                throw new IllegalArgumentException("rule " + kind + " has no key " + key + "; keys: " + params.keySet());
            }
            return v;
        }
    }

    /** The settings of one rule. */
    public Rule rule(String kind) {
        Rule r = rules.get(kind);
        if (r == null) {
            throw new IllegalArgumentException("no monitor rule " + kind);
        }
        return r;
    }

    /** Reads the {@code monitor} section; problems go to the reader. */
    static MonitorSettings read(ConfigReader m) {
        long throttle = m.integer("throttle-ms", 60_000, 0, Long.MAX_VALUE);
        List<Webhook> hooks = new java.util.ArrayList<>();
        var raw = m.raw("webhooks");
        if (raw != null && !raw.isNull()) {
            if (!raw.isArray()) {
                m.problem("webhooks", "must be a list of URLs or of {url, timeout-ms, retries, backoff-ms}");
            } else {
                for (int i = 0; i < raw.size(); i++) {
                    hooks.add(webhook(m, raw.get(i), "webhooks[" + i + "]"));
                }
            }
        }
        Map<String, Rule> rules = new LinkedHashMap<>();
        ConfigReader section = new ConfigReader(m.raw("rules"), m.path("rules"), m.problems());
        for (RuleCatalog.Spec spec : RuleCatalog.all()) {
            String k = spec.kind();
            boolean enabled = section.bool(k + ".enabled", true);
            String severity = section.choice(k + ".severity", spec.severity(), dev.streamtrain.core.events.Alert.SEVERITIES);
            Map<String, Double> params = new LinkedHashMap<>();
            spec.defaults().forEach((key, def) -> params.put(key, RuleCatalog.WHOLE_NUMBER_KEYS.contains(key)
                    ? (double) section.integer(k + "." + key, def.longValue(), 0, (long) 1e15)
                    : section.decimal(k + "." + key, def, 0, 1e15, true)));
            rules.put(k, new Rule(k, enabled, severity, params));
        }
        section.reportUnknownKeys();
        return new MonitorSettings(throttle, hooks, rules);
    }

    private static Webhook webhook(ConfigReader m, com.fasterxml.jackson.databind.JsonNode node, String key) {
        ConfigReader w = new ConfigReader(node.isTextual() ? com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode().put("url", node.asText()) : node, m.path(key), m.problems());
        String url = w.string("url", "");
        if (!url.matches("https?://[^\\s/]+.*")) {
            w.problem("url", "must be an http:// or https:// address, got '" + url + "'");
        }
        Webhook hook = new Webhook(url, w.integer("timeout-ms", 2000, 1, 600_000), (int) w.integer("retries", 3, 0,
                100), w.integer("backoff-ms", 500, 0, 3_600_000));
        w.reportUnknownKeys();
        return hook;
    }
}
