package dev.streamtrain.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.RecordFormatSettings;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.core.wire.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decoders of records into minibatches, one per {@link RecordFormatSettings#format() format}. Minibatch records
 * (safetensors, npz) decode whole; example records (one per record) decode into one-row minibatches, which ingest
 * validates like any minibatch and then assembles ({@link ExampleAssembler}).
 *
 * <p>JSON: the features are an array at a path ({@code {"x": [...], "y": 3}}) or named numeric fields
 * ({@code json-features: [age, income]}); y is an integer class id, a number target, or an array of targets.
 * CSV: one line of numbers; the label in a column given by index or name; optional feature-column selection by name;
 * header lines (no numeric cell) are skipped, checked, or rejected as configured.
 */
public final class ExampleDecoders {

    private ExampleDecoders() {
    }

    /** Decodes a record value into a minibatch; throws {@link WireFormatException} naming the problem. */
    @FunctionalInterface
    public interface Decoder {
        MiniBatch decode(byte[] value, OffsetRange source);

        /**
         * Decodes a value the training reader's consumer hands over as a view of its fetch buffer. By default a copy
         * of it goes to {@link #decode(byte[], OffsetRange)}; the minibatch formats read it in place.
         */
        default MiniBatch decode(java.nio.ByteBuffer value, OffsetRange source) {
            return decode(dev.streamtrain.core.wire.Bytes.of(value), source);
        }
    }

    /** Safetensors or .npz minibatch records, read in place from the consumer's buffer when they can be. */
    public static Decoder minibatches(MiniBatchCodec codec) {
        var decoder = new dev.streamtrain.core.wire.MiniBatchDecoder(codec);
        return new Decoder() {
            @Override
            public MiniBatch decode(byte[] value, OffsetRange source) {
                return decoder.decode(value, source);
            }

            @Override
            public MiniBatch decode(java.nio.ByteBuffer value, OffsetRange source) {
                return decoder.decode(value, source);
            }
        };
    }

    /**
     * Thrown by a decoder for a record that is not data and is to be skipped, not dead-lettered (a CSV header line).
     * No stack trace: it is an expected outcome, not a failure.
     */
    public static final class NotAnExample extends RuntimeException {
        private final String reason;

        NotAnExample(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        /** Short code, counted per reason. */
        public String reason() {
            return reason;
        }
    }

    /** The decoder for a topic's format. */
    public static Decoder forFormat(RecordFormatSettings f) {
        return switch (f.format()) {
            case "json" -> f.jsonFeatures().isEmpty() ? json(f.jsonXField(), f.jsonYField())
                    : jsonNamedFeatures(f.jsonFeatures(), f.jsonYField());
            case "csv" -> csv(f);
            default -> minibatches(new MiniBatchCodec(f.featuresTensor(), f.labelsTensor()));
        };
    }

    /** JSON examples with the features in the array at {@code xPath} and the label at {@code yPath}. */
    public static Decoder json(String xPath, String yPath) {
        return (value, source) -> {
            JsonNode root = parseObject(value);
            JsonNode x = at(root, xPath);
            if (x == null || !x.isArray() || x.isEmpty()) {
                throw new WireFormatException("field '" + xPath + "' must be a non-empty array of numbers");
            }
            return example(numbers(x, xPath), at(root, yPath), yPath, source);
        };
    }

    /** JSON examples whose features are the named numeric fields, in the order given. */
    public static Decoder jsonNamedFeatures(List<String> featurePaths, String yPath) {
        return (value, source) -> {
            JsonNode root = parseObject(value);
            float[] x = new float[featurePaths.size()];
            for (int i = 0; i < x.length; i++) {
                JsonNode n = at(root, featurePaths.get(i));
                if (n == null) {
                    throw new WireFormatException("feature field '" + featurePaths.get(i) + "' is missing");
                }
                x[i] = number(n, featurePaths.get(i));
            }
            return example(x, at(root, yPath), yPath, source);
        };
    }

    /** CSV example lines as configured by {@code f} (delimiter, label column, columns, header policy). */
    public static Decoder csv(RecordFormatSettings f) {
        CsvLines lines = new CsvLines(f.csvDelimiter().charAt(0));
        List<String> columns = f.csvColumns();
        int[] featureIndex = f.csvFeatureColumns().stream().mapToInt(columns::indexOf).toArray();
        return (value, source) -> {
            String[] cells = lines.cells(value);
            if (isHeader(cells)) {
                return header(f, cells);
            }
            if (!columns.isEmpty() && cells.length != columns.size()) {
                throw new WireFormatException("a CSV line needs " + columns.size() + " cells (csv-columns), got "
                        + cells.length);
            }
            int label = f.labelIndex(cells.length);
            if (cells.length < 2 || label < 0 || label >= cells.length) {
                throw new WireFormatException("a CSV example needs features and a label column "
                        + f.csvLabelColumn() + ", got " + cells.length + " cell(s)");
            }
            try {
                float[] x;
                if (featureIndex.length > 0) {
                    x = new float[featureIndex.length];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = Float.parseFloat(cells[featureIndex[i]].strip());
                    }
                } else {
                    x = new float[cells.length - 1];
                    for (int c = 0, at = 0; c < cells.length; c++) {
                        if (c != label) {
                            x[at++] = Float.parseFloat(cells[c].strip());
                        }
                    }
                }
                String y = cells[label].strip();
                if (y.matches("[+-]?\\d+")) {
                    return new MiniBatch(1, x.length, x, new long[] {Long.parseLong(y)}, List.of(source));
                }
                return MiniBatch.withTargets(1, x.length, x, new float[] {Float.parseFloat(y)}, 1, List.of(source));
            } catch (NumberFormatException e) {
                throw new WireFormatException("a CSV cell is not a number: " + firstNonNumber(cells));
            }
        };
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExampleDecoders.class);

    /** A line is a header when none of its cells is a number (quotes removed: {@code "0.5"} is a number). */
    private static boolean isHeader(String[] cells) {
        for (String c : cells) {
            try {
                Double.parseDouble(c.strip());
                return false;
            } catch (NumberFormatException e) {
                // a name: keep looking
            }
        }
        return true;
    }

    /** The first cell that is not a number, named by its column and value. */
    private static String firstNonNumber(String[] cells) {
        for (int c = 0; c < cells.length; c++) {
            try {
                Double.parseDouble(cells[c]);
            } catch (NumberFormatException e) {
                return "column " + c + " holds '" + cells[c] + "'";
            }
        }
        return "a value out of range";
    }

    private static MiniBatch header(RecordFormatSettings f, String[] cells) {
        List<String> names = java.util.Arrays.stream(cells).map(String::strip).toList();
        switch (f.csvHeader()) {
            case "skip":
                // never silent: counted as skipped (csv_header) in the ingest metrics, and logged
                LOG.info("a CSV header line {} was skipped (not data: no cell is a number)", names);
                throw new NotAnExample("csv_header", "header line " + names);
            case "check":
                if (names.equals(f.csvColumns())) {
                    throw new NotAnExample("csv_header", "header line " + names);
                }
                throw new WireFormatException("csv_header_mismatch", "header " + names + " differs from csv-columns "
                        + f.csvColumns());
            default:
                throw new WireFormatException("a header line " + names + " where ingest.csv-header is none");
        }
    }

    private static JsonNode parseObject(byte[] value) {
        JsonNode root;
        try {
            root = dev.streamtrain.core.wire.PythonJson.read(value); // bare NaN/Infinity as Python writes them
        } catch (dev.streamtrain.core.wire.PythonJson.NotJson e) {
            throw new WireFormatException("not a JSON object: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new WireFormatException("not a JSON object");
        }
        return root;
    }

    /** The node at a dotted path ({@code a.b.0}) or JSON pointer ({@code /a/b/0}); null when absent. */
    static JsonNode at(JsonNode root, String path) {
        if (path.startsWith("/")) {
            JsonNode n = root.at(path);
            return n.isMissingNode() ? null : n;
        }
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            if (n == null) {
                return null;
            }
            n = n.isArray() && part.matches("\\d+") ? n.get(Integer.parseInt(part)) : n.get(part);
        }
        return n;
    }

    private static MiniBatch example(float[] features, JsonNode y, String yPath, OffsetRange source) {
        if (y == null || y.isNull()) {
            throw new WireFormatException("field '" + yPath + "' is missing");
        }
        if (y.isIntegralNumber()) {
            return new MiniBatch(1, features.length, features, new long[] {y.asLong()}, List.of(source));
        }
        float[] targets = y.isArray() ? numbers(y, yPath) : y.isNumber() ? new float[] {(float) y.asDouble()} : null;
        if (targets == null) {
            throw new WireFormatException("field '" + yPath + "' must be a class id, a number or an array");
        }
        return MiniBatch.withTargets(1, features.length, features, targets, targets.length, List.of(source));
    }

    private static float[] numbers(JsonNode array, String field) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(array.get(i), field + "[" + i + "]");
        }
        return out;
    }

    private static float number(JsonNode n, String field) {
        if (n.isNumber()) {
            return (float) n.asDouble();
        }
        if (n.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(n.asText())) {
            return Float.parseFloat(n.asText());
        }
        throw new WireFormatException("field '" + field + "' is not a number: " + n);
    }
}
