package dev.streamtrain.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads typed values from a parsed config tree by dotted key path, collecting every problem instead of stopping at
 * the first, and remembering which keys were read so that unknown keys (typos) are reported too. A reader can work on
 * a subtree: its problems then carry the subtree's full key path (e.g. {@code schedule.params.T_max}).
 */
public final class ConfigReader {
    private final JsonNode root;
    private final String prefix;
    private final List<String> problems;
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> passThrough = new LinkedHashSet<>();

    /** A reader of a whole document with its own problem list. */
    public ConfigReader(JsonNode root) {
        this(root, "", new ResolvedSettings());
    }

    /** What the readers of this document read, with the values they took ({@link ResolvedSettings}). */
    public ResolvedSettings resolved() {
        return problems instanceof ResolvedSettings r ? r : new ResolvedSettings();
    }

    /** Keeps a value read (in the document's {@link ResolvedSettings}, when the problems list is one). */
    private <T> T keep(String key, T value) {
        if (problems instanceof ResolvedSettings r && value != null) {
            r.record(prefix + key, VALUES.valueToTree(value));
        }
        return value;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper VALUES =
            com.fasterxml.jackson.databind.json.JsonMapper.builder().build();

    /** Leaves a key read by this reader out of the resolved settings (a stand-in filled later). */
    public void leaveOut(String key) {
        if (problems instanceof ResolvedSettings r) {
            r.leaveOut(prefix + key);
        }
    }

    /**
     * A reader of a subtree.
     *
     * @param root the subtree (may be null: every key is then absent)
     * @param prefix its key path, e.g. {@code schedule.params} (empty for a document)
     * @param problems where problems are added (shared with the parent reader)
     */
    public ConfigReader(JsonNode root, String prefix, List<String> problems) {
        this.root = root;
        this.prefix = prefix.isEmpty() ? "" : prefix + ".";
        this.problems = problems;
    }

    /** Every problem found so far, as {@code key.path: what is wrong}. */
    public List<String> problems() {
        return problems;
    }

    /** Records a problem with a key (relative to this reader). */
    public void problem(String key, String message) {
        problems.add(prefix + key + ": " + message);
    }

    /** The full key path of a key relative to this reader. */
    public String path(String key) {
        return prefix + key;
    }

    /** The raw node at a key (marked as known), or null when absent. */
    public JsonNode raw(String key) {
        JsonNode n = node(key);
        if (problems instanceof ResolvedSettings r && n != null) {
            r.record(prefix + key, n); // a section's own readers add its defaults
        }
        return n;
    }

    /** Reports a missing key as required; returns whether it is present. */
    public boolean require(String key) {
        known.add(key);
        if (!has(key)) {
            problem(key, "is required");
            return false;
        }
        return true;
    }

    /** True when the key is present (does not mark it as known). */
    public boolean has(String key) {
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n != null && !n.isNull();
    }

    private JsonNode node(String key) {
        known.add(key);
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n == null || n.isNull() ? null : n;
    }

    /** A string, or {@code def} when absent. */
    public String string(String key, String def) {
        return keep(key, stringValue(key, def));
    }

    private String stringValue(String key, String def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isValueNode()) {
            problem(key, "must be a string, got " + n.getNodeType().name().toLowerCase());
            return def;
        }
        return n.asText();
    }

    /** One of the allowed strings, or {@code def} when absent. */
    public String choice(String key, String def, List<String> allowed) {
        String v = string(key, def);
        if (v != null && !allowed.contains(v)) {
            problem(key, "must be one of " + allowed + ", got '" + v + "'");
            return def;
        }
        return v;
    }

    /** A boolean, or {@code def} when absent. */
    public boolean bool(String key, boolean def) {
        return keep(key, boolValue(key, def));
    }

    private boolean boolValue(String key, boolean def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isBoolean()) {
            problem(key, "must be true or false, got '" + n.asText() + "'");
            return def;
        }
        return n.asBoolean();
    }

    /** A whole number in [min, max], or {@code def} when absent. */
    public long integer(String key, long def, long min, long max) {
        return keep(key, integerValue(key, def, min, max));
    }

    private long integerValue(String key, long def, long min, long max) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            problem(key, "must be a whole number, got '" + n.asText() + "'");
            return def;
        }
        long v = n.asLong();
        if (v < min || v > max) {
            problem(key, "must be in [" + min + ", " + max + "], got " + v);
            return def;
        }
        return v;
    }

    /** A finite number in [min, max] (min exclusive unless minInclusive), or {@code def} when absent. */
    public double decimal(String key, double def, double min, double max, boolean minInclusive) {
        return keep(key, decimalValue(key, def, min, max, minInclusive));
    }

    private double decimalValue(String key, double def, double min, double max, boolean minInclusive) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isNumber()) {
            problem(key, "must be a number, got '" + n.asText() + "'");
            return def;
        }
        double v = n.asDouble();
        boolean aboveMin = minInclusive ? v >= min : v > min;
        if (!Double.isFinite(v) || !aboveMin || v > max) {
            problem(key, "must be in " + (minInclusive ? "[" : "(") + min + ", " + max + "], got " + v);
            return def;
        }
        return v;
    }

    /** A finite number in [min, max] (min exclusive unless minInclusive), or null when absent or null. */
    public Double optionalDecimal(String key, double min, double max, boolean minInclusive) {
        if (node(key) == null) {
            return null;
        }
        double v = decimalValue(key, Double.NaN, min, max, minInclusive);
        return Double.isNaN(v) ? null : keep(key, v);
    }

    /** A list of whole numbers >= min, or {@code def} when absent. */
    public List<Integer> intList(String key, List<Integer> def, int min) {
        return keep(key, intListValue(key, def, min));
    }

    private List<Integer> intListValue(String key, List<Integer> def, int min) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isArray()) {
            problem(key, "must be a list of whole numbers, e.g. [128, 64]");
            return def;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isIntegralNumber() || e.asInt() < min) {
                problem(key + "[" + i + "]", "must be a whole number >= " + min + ", got '" + e.asText() + "'");
                return def;
            }
            out.add(e.asInt());
        }
        return out;
    }

    /** A list of non-empty strings, or {@code def} when absent. */
    public List<String> stringList(String key, List<String> def) {
        return keep(key, stringListValue(key, def));
    }

    private List<String> stringListValue(String key, List<String> def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isArray()) {
            problem(key, "must be a list of names, e.g. [a, b]");
            return def;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isValueNode() || e.isNull() || e.asText().isEmpty()) {
                problem(key + "[" + i + "]", "must be a non-empty name, got '" + e + "'");
                return def;
            }
            out.add(e.asText());
        }
        return out;
    }

    /** A map whose entries are passed through unchecked (Kafka client settings). */
    public Map<String, String> passThroughMap(String key) {
        JsonNode n = raw(key);
        passThrough.add(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        if (!n.isObject()) {
            problem(key, "must be a map of settings");
            return out;
        }
        flatten("", n, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(k, e.getValue(), out);
            } else {
                out.put(k, e.getValue().asText());
            }
        }
    }

    /** Reports every key in the file that no reader asked for. */
    public void reportUnknownKeys() {
        if (root == null || !root.isObject()) {
            return;
        }
        walkUnknown("", root);
    }

    private void walkUnknown(String prefix, JsonNode n) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (passThrough.contains(key)) {
                continue;
            }
            boolean isSection = known.stream().anyMatch(k -> k.startsWith(key + "."));
            if (known.contains(key)) {
                continue;
            }
            if (isSection && e.getValue().isObject()) {
                walkUnknown(key, e.getValue());
            } else if (isSection) {
                problem(key, "must be a section (a map of keys)");
            } else {
                problem(key, "unknown key" + suggestion(key));
            }
        }
    }

    private String suggestion(String key) {
        return dev.streamtrain.core.config.Names.closest(key, known, 3).map(k -> " (did you mean '" + prefix + k
                + "'?)").orElse("");
    }
}
