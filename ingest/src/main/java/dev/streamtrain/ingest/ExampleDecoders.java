package dev.streamtrain.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.wire.WireFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decoders of example records (one example per record) into one-row minibatches, which ingest validates like any
 * minibatch and then assembles ({@link ExampleAssembler}). JSON: {@code {"x": [...], "y": 3}} with configurable field
 * names (y an integer class id, a number target, or an array of targets). CSV: one line of numbers, the label in a
 * configurable column.
 */
public final class ExampleDecoders {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExampleDecoders() {
    }

    /** Decodes a record value into a one-row minibatch; throws {@link WireFormatException} naming the problem. */
    @FunctionalInterface
    public interface Decoder {
        MiniBatch decode(byte[] value, OffsetRange source);
    }

    /** JSON examples with the features in {@code xField} and the label in {@code yField}. */
    public static Decoder json(String xField, String yField) {
        return (value, source) -> {
            JsonNode root;
            try {
                root = JSON.readTree(value);
            } catch (IOException e) {
                throw new WireFormatException("not a JSON object: " + firstLine(e.getMessage()));
            }
            if (root == null || !root.isObject()) {
                throw new WireFormatException("not a JSON object");
            }
            JsonNode x = root.get(xField);
            JsonNode y = root.get(yField);
            if (x == null || !x.isArray() || x.isEmpty()) {
                throw new WireFormatException("field '" + xField + "' must be a non-empty array of numbers");
            }
            if (y == null) {
                throw new WireFormatException("field '" + yField + "' is missing");
            }
            float[] features = numbers(x, xField);
            if (y.isIntegralNumber()) {
                return new MiniBatch(1, features.length, features, new long[] {y.asLong()}, List.of(source));
            }
            float[] targets = y.isArray() ? numbers(y, yField) : y.isNumber() ? new float[] {(float) y.asDouble()} : null;
            if (targets == null) {
                throw new WireFormatException("field '" + yField + "' must be a class id, a number or an array");
            }
            return MiniBatch.withTargets(1, features.length, features, targets, targets.length, List.of(source));
        };
    }

    /** CSV lines: numbers separated by {@code delimiter}, the class id in {@code labelColumn} (negative: from the end). */
    public static Decoder csv(String delimiter, int labelColumn) {
        String split = java.util.regex.Pattern.quote(delimiter);
        return (value, source) -> {
            String line = new String(value, StandardCharsets.UTF_8).trim();
            String[] cells = line.split(split, -1);
            int label = labelColumn < 0 ? cells.length + labelColumn : labelColumn;
            if (cells.length < 2 || label < 0 || label >= cells.length) {
                throw new WireFormatException("a CSV example needs features and a label column " + labelColumn + ", got "
                        + cells.length + " cell(s)");
            }
            float[] x = new float[cells.length - 1];
            long y;
            try {
                y = Long.parseLong(cells[label].trim());
                for (int c = 0, at = 0; c < cells.length; c++) {
                    if (c != label) {
                        x[at++] = Float.parseFloat(cells[c].trim());
                    }
                }
            } catch (NumberFormatException e) {
                throw new WireFormatException("not a number in CSV line: " + e.getMessage());
            }
            return new MiniBatch(1, x.length, x, new long[] {y}, List.of(source));
        };
    }

    private static float[] numbers(JsonNode array, String field) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = array.get(i);
            if (n.isNumber()) {
                out[i] = (float) n.asDouble();
            } else if (n.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(n.asText())) {
                out[i] = Float.parseFloat(n.asText());
            } else {
                throw new WireFormatException("field '" + field + "' element " + i + " is not a number: " + n);
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
