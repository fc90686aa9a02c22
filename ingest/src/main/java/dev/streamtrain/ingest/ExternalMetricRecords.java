package dev.streamtrain.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ExternalMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one record of the external metrics topic ({@code validation.external-topic}): a JSON object, either
 * {@code {"metric": "val_loss", "value": 0.31, "rows": 5000}} or {@code {"metrics": {"val_loss": 0.31, "val_auc":
 * 0.93}, "rows": 5000}}, with optional {@code rows} (rows behind the metrics) and {@code update} (the trainer update
 * they were computed for), both whole numbers >= 0. Values are JSON numbers; NaN and infinities are accepted as the
 * bare literals or as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} (as StreamTrain writes them),
 * so a diverged evaluation still reaches early stopping's finiteness check. Pure.
 */
public final class ExternalMetricRecords {
    private static final Map<String, Double> NON_FINITE = Map.of("NaN", Double.NaN, "Infinity",
            Double.POSITIVE_INFINITY, "-Infinity", Double.NEGATIVE_INFINITY);

    private ExternalMetricRecords() {
    }

    /** A record that is not an external metric record; the message says what is wrong, for the dead-letter topic. */
    public static final class BadMetricRecord extends Exception {
        BadMetricRecord(String message) {
            super(message, null, false, false); // an expected outcome for bad input: no stack trace
        }
    }

    /**
     * The metrics of one record, in the order the record names them.
     *
     * @param job job name the events carry
     * @param value the record value (UTF-8 JSON)
     * @param timeMillis when it was read
     * @throws BadMetricRecord when the record is not such JSON
     */
    public static List<ExternalMetric> parse(String job, byte[] value, long timeMillis) throws BadMetricRecord {
        if (value == null || value.length == 0) {
            throw new BadMetricRecord("the record has no value");
        }
        JsonNode root;
        try {
            root = dev.streamtrain.core.wire.PythonJson.read(value);
        } catch (dev.streamtrain.core.wire.PythonJson.NotJson e) {
            throw new BadMetricRecord(e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadMetricRecord("not a JSON object");
        }
        long rows = wholeNumber(root, "rows");
        long update = wholeNumber(root, "update");
        boolean one = root.has("metric");
        boolean several = root.has("metrics");
        if (one == several) {
            throw new BadMetricRecord(one ? "name either \"metric\" or \"metrics\", not both"
                    : "no \"metric\" and \"value\", nor \"metrics\"");
        }
        List<ExternalMetric> out = new ArrayList<>();
        if (one) {
            JsonNode name = root.get("metric");
            if (!name.isTextual() || name.asText().isBlank()) {
                throw new BadMetricRecord("\"metric\" must be a metric name");
            }
            if (!root.has("value")) {
                throw new BadMetricRecord("metric '" + name.asText() + "' has no \"value\"");
            }
            out.add(new ExternalMetric(job, name.asText(), number(name.asText(), root.get("value")), rows, update,
                    timeMillis));
            return out;
        }
        JsonNode metrics = root.get("metrics");
        if (!metrics.isObject() || metrics.isEmpty()) {
            throw new BadMetricRecord("\"metrics\" must be an object of metric names and values");
        }
        for (Map.Entry<String, JsonNode> entry : metrics.properties()) {
            if (entry.getKey().isBlank()) {
                throw new BadMetricRecord("a metric in \"metrics\" has an empty name");
            }
            out.add(new ExternalMetric(job, entry.getKey(), number(entry.getKey(), entry.getValue()), rows, update,
                    timeMillis));
        }
        return out;
    }

    private static double number(String metric, JsonNode v) throws BadMetricRecord {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual() && NON_FINITE.containsKey(v.asText())) {
            return NON_FINITE.get(v.asText());
        }
        throw new BadMetricRecord("the value of metric '" + metric + "' is not a number: " + v);
    }

    /** An optional whole number >= 0, or -1 when absent or null. */
    private static long wholeNumber(JsonNode root, String field) throws BadMetricRecord {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return -1;
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new BadMetricRecord("\"" + field + "\" must be a whole number >= 0, got " + v);
        }
        return v.asLong();
    }
}
