package dev.streamtrain.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where {@code schedule.auto-range} writes: the {@code max_lr} of every OneCycleLR spec and the {@code base_lr} and
 * {@code max_lr} of every CyclicLR spec in the schedule section, nested ones included (under ReduceLROnPlateau,
 * warmup, SequentialLR ...). The job must leave them out: the range test sets them.
 */
final class AutoRangeBounds {
    /** Stand-ins that pass validation until the range test has run. */
    private static final LrRange PLACEHOLDER = new LrRange(0.25, 1.0, 1.0);

    private AutoRangeBounds() {
    }

    /** Fills the stand-ins, reporting bounds the job gave and a schedule with nothing to fill. */
    static void placeholders(JsonNode schedule, ConfigReader r) {
        Map<String, Double> filled = fill(schedule, "schedule", PLACEHOLDER, r);
        filled.keySet().forEach(path -> r.leaveOut(path.substring("schedule.".length()))); // never printed
        if (filled.isEmpty()) {
            r.problem("auto-range", "fills the bounds of a CyclicLR or OneCycleLR schedule, and this schedule has"
                    + " neither");
        }
    }

    /**
     * Writes the range's bounds into every CyclicLR and OneCycleLR spec under {@code node}.
     *
     * @param r where bounds the job gave are reported (null: overwrite them)
     * @return what was set, by key path
     */
    static Map<String, Double> fill(JsonNode node, String path, LrRange range, ConfigReader r) {
        Map<String, Double> filled = new LinkedHashMap<>();
        walk(node, path, range, r, filled);
        return filled;
    }

    private static void walk(JsonNode node, String path, LrRange range, ConfigReader r, Map<String, Double> filled) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", range, r, filled);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        String scheduler = node.path("scheduler").asText("");
        if (scheduler.equals("CyclicLR") || scheduler.equals("OneCycleLR")) {
            ObjectNode params = node.path("params").isObject() ? (ObjectNode) node.get("params")
                    : ((ObjectNode) node).putObject("params");
            List<String> keys = scheduler.equals("CyclicLR") ? List.of("base_lr", "max_lr") : List.of("max_lr");
            for (String key : keys) {
                if (r != null && params.has(key)) {
                    r.problem("auto-range", "sets " + path + ".params." + key + " from the range test; leave it out"
                            + " of the job (or turn auto-range off)");
                }
                double value = key.equals("base_lr") ? range.clrBaseLr()
                        : scheduler.equals("CyclicLR") ? range.clrMaxLr() : range.oneCycleMaxLr();
                params.put(key, value);
                filled.put(path + ".params." + key, value);
            }
        }
        node.fields().forEachRemaining(e -> walk(e.getValue(), path + "." + e.getKey(), range, r, filled));
    }
}
