package dev.streamtrain.core.config;

import java.util.List;

/**
 * How the records of one topic are laid out. Read from the {@code ingest} section (the default for every topic, and the
 * validation topic's format) and optionally overridden per entry of {@code ingest.train-topics}.
 *
 * @param format {@code safetensors} or {@code npz} (a minibatch per record; the two are told apart by their magic, so
 *     either name reads both), {@code json} or {@code csv} (one example per record)
 * @param featuresTensor name of the feature tensor in a minibatch record
 * @param labelsTensor name of the label tensor in a minibatch record
 * @param jsonXField path of the JSON array holding the features: dotted ({@code input.x}) or a JSON pointer
 *     ({@code /input/x})
 * @param jsonYField path of the JSON label: a class id, a number or an array of targets
 * @param jsonFeatures paths of named numeric JSON fields making up the features, in order (empty: use
 *     {@code jsonXField})
 * @param csvDelimiter CSV delimiter
 * @param csvLabelColumn CSV label column: an index (negative counts from the end) or a name from {@code csvColumns}
 * @param csvHeader what a header line (no numeric cell) is: {@code none} (bad record, dead-lettered), {@code skip}
 *     (skipped and counted) or {@code check} (skipped when it equals {@code csvColumns}, else dead-lettered)
 * @param csvColumns the CSV column names, in order (empty: unnamed)
 * @param csvFeatureColumns names of the columns used as features, in this order (empty: every column but the label)
 */
public record RecordFormatSettings(String format, String featuresTensor, String labelsTensor, String jsonXField,
        String jsonYField, List<String> jsonFeatures, String csvDelimiter, String csvLabelColumn, String csvHeader,
        List<String> csvColumns, List<String> csvFeatureColumns) {
    /** Record formats accepted. */
    public static final List<String> FORMATS = List.of("safetensors", "npz", "json", "csv");
    /** CSV header policies accepted. */
    public static final List<String> CSV_HEADERS = List.of("none", "skip", "check");

    public RecordFormatSettings {
        jsonFeatures = List.copyOf(jsonFeatures);
        csvColumns = List.copyOf(csvColumns);
        csvFeatureColumns = List.copyOf(csvFeatureColumns);
    }

    /** The built-in defaults: safetensors minibatches with tensors {@code x} and {@code y}. */
    public static RecordFormatSettings defaults() {
        return new RecordFormatSettings("safetensors", "x", "y", "x", "y", List.of(), ",", "-1", "skip", List.of(),
                List.of());
    }

    /** The defaults with another record format (no other key changed). */
    public static RecordFormatSettings of(String format) {
        var d = defaults();
        return new RecordFormatSettings(format, d.featuresTensor(), d.labelsTensor(), d.jsonXField(), d.jsonYField(),
                d.jsonFeatures(), d.csvDelimiter(), d.csvLabelColumn(), d.csvHeader(), d.csvColumns(),
                d.csvFeatureColumns());
    }

    /** True for formats with one example per record, which ingest assembles into minibatches. */
    public boolean examplesPerRecord() {
        return format.equals("json") || format.equals("csv");
    }

    /**
     * Reads the format keys of a section, each defaulting to {@code parent}'s value; checks that they fit together
     * (problems go to the reader).
     */
    public static RecordFormatSettings read(ConfigReader r, RecordFormatSettings parent) {
        String labelColumn = r.has("csv-label-column") && r.raw("csv-label-column").isIntegralNumber()
                ? String.valueOf(r.raw("csv-label-column").asLong())
                : r.string("csv-label-column", parent.csvLabelColumn());
        var s = new RecordFormatSettings(
                r.choice("format", parent.format(), FORMATS),
                r.string("features-tensor", parent.featuresTensor()),
                r.string("labels-tensor", parent.labelsTensor()),
                r.string("json-x-field", parent.jsonXField()),
                r.string("json-y-field", parent.jsonYField()),
                r.stringList("json-features", parent.jsonFeatures()),
                r.string("csv-delimiter", parent.csvDelimiter()),
                labelColumn,
                r.choice("csv-header", parent.csvHeader(), CSV_HEADERS),
                r.stringList("csv-columns", parent.csvColumns()),
                r.stringList("csv-feature-columns", parent.csvFeatureColumns()));
        s.check(r);
        return s;
    }

    /** Keys that only some record formats read, with those formats and the value each key sets. */
    private record FormatKey(String key, List<String> readers,
            java.util.function.Function<RecordFormatSettings, Object> value) {
    }

    private static final List<FormatKey> FORMAT_KEYS = List.of(
            new FormatKey("csv-columns", List.of("csv"), RecordFormatSettings::csvColumns),
            new FormatKey("csv-delimiter", List.of("csv"), RecordFormatSettings::csvDelimiter),
            new FormatKey("csv-feature-columns", List.of("csv"), RecordFormatSettings::csvFeatureColumns),
            new FormatKey("csv-header", List.of("csv"), RecordFormatSettings::csvHeader),
            new FormatKey("csv-label-column", List.of("csv"), RecordFormatSettings::csvLabelColumn),
            new FormatKey("features-tensor", List.of("safetensors", "npz"), RecordFormatSettings::featuresTensor),
            new FormatKey("json-features", List.of("json"), RecordFormatSettings::jsonFeatures),
            new FormatKey("json-x-field", List.of("json"), RecordFormatSettings::jsonXField),
            new FormatKey("json-y-field", List.of("json"), RecordFormatSettings::jsonYField),
            new FormatKey("labels-tensor", List.of("safetensors", "npz"), RecordFormatSettings::labelsTensor));

    /**
     * Refuses the record-format keys this section changed from {@code parent} (the defaults, or the section it
     * inherits from) that none of {@code formats} reads: a {@code csv-columns} beside {@code format: json}. A key
     * left at the inherited value is never refused ({@code run --check} prints them all).
     */
    void refuseForeignKeys(ConfigReader r, RecordFormatSettings parent, java.util.Set<String> formats) {
        for (FormatKey k : FORMAT_KEYS) {
            boolean changed = !k.value().apply(this).equals(k.value().apply(parent));
            if (changed && k.readers().stream().noneMatch(formats::contains)) {
                r.problem(k.key(), "is read by the " + String.join(" and ", k.readers()) + " format"
                        + (k.readers().size() > 1 ? "s" : "") + " only; the records here are "
                        + String.join(", ", new java.util.TreeSet<>(formats)));
            }
        }
    }

    private void check(ConfigReader r) {
        if (csvDelimiter.length() != 1) {
            r.problem("csv-delimiter", "must be one character (RFC 4180: ',' ';' '\\t' ...), got '" + csvDelimiter
                    + "'");
        }
        boolean numeric = csvLabelColumn.matches("-?\\d+");
        if (!numeric && !csvColumns.contains(csvLabelColumn)) {
            r.problem("csv-label-column", "'" + csvLabelColumn + "' is neither a column index nor one of csv-columns "
                    + csvColumns);
        }
        if (numeric && !csvColumns.isEmpty()) {
            int i = Integer.parseInt(csvLabelColumn);
            if (i >= csvColumns.size() || i < -csvColumns.size()) {
                r.problem("csv-label-column", i + " is outside the " + csvColumns.size() + " csv-columns");
            }
        }
        for (String c : csvFeatureColumns) {
            if (!csvColumns.contains(c)) {
                r.problem("csv-feature-columns", "'" + c + "' is not one of csv-columns " + csvColumns);
            }
        }
        if (csvHeader.equals("check") && csvColumns.isEmpty()) {
            r.problem("csv-header", "check needs csv-columns (the header the lines must carry)");
        }
        if (csvColumns.stream().distinct().count() != csvColumns.size()) {
            r.problem("csv-columns", "names must be unique, got " + csvColumns);
        }
    }

    /** The label column's index among {@code cells} cells (negative indices count from the end). */
    public int labelIndex(int cells) {
        if (!csvColumns.isEmpty() && !csvLabelColumn.matches("-?\\d+")) {
            return csvColumns.indexOf(csvLabelColumn);
        }
        int i = Integer.parseInt(csvLabelColumn);
        return i < 0 ? cells + i : i;
    }
}
