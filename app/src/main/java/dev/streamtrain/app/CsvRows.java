package dev.streamtrain.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads numeric CSV files (optionally gzipped) into {@link LabeledRows}, with errors that name the line. */
public final class CsvRows {
    private CsvRows() {
    }

    /** The digits data set bundled with the app (see {@code data/README.md}), features scaled by 1/16. */
    public static LabeledRows digits() throws IOException {
        try (InputStream in = CsvRows.class.getResourceAsStream("/data/digits.csv.gz")) {
            if (in == null) {
                throw new IOException("the bundled digits data set is missing from the classpath");
            }
            return read(new GZIPInputStream(in), "digits.csv.gz", -1, 1.0f / 16, false);
        }
    }

    /** Reads a CSV file; {@code .gz} files are decompressed. */
    public static LabeledRows read(Path file, int labelColumn, float scale, boolean header) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return read(in, file.toString(), labelColumn, scale, header);
        }
    }

    /**
     * @param labelColumn index of the class column; negative counts from the end (-1 = last)
     * @param scale multiplier applied to every feature
     * @param header skip the first line
     */
    static LabeledRows read(InputStream in, String name, int labelColumn, float scale, boolean header)
            throws IOException {
        List<float[]> xs = new ArrayList<>();
        List<Long> ys = new ArrayList<>();
        int width = -1;
        var reader = new java.io.PushbackReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), 1);
        int first = reader.read();
        if (first >= 0 && first != '\uFEFF') { // Excel's "CSV UTF-8" starts with a byte-order mark: not data
            reader.unread(first);
        }
        int record = 0;
        int lineNo = 0;
        try (com.fasterxml.jackson.databind.MappingIterator<String[]> lines = dev.streamtrain.ingest.CsvLines
                .reader(',').with(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.SKIP_EMPTY_LINES)
                .readValues(reader)) { // as ingest reads a CSV record: RFC 4180, quoted fields, CRLF
            while (lines.hasNext()) {
                String[] cells = lines.next();
                record++;
                lineNo = lines.getParser().currentTokenLocation().getLineNr(); // the file's line, not the record's
                if (header && record == 1) {
                    continue;
                }
                if (width < 0) {
                    width = cells.length;
                } else if (cells.length != width) {
                    throw new IOException(name + ":" + lineNo + ": " + cells.length + " columns, expected " + width);
                }
                int label = labelColumn < 0 ? width + labelColumn : labelColumn;
                if (label < 0 || label >= width) {
                    throw new IOException(name + ": label column " + labelColumn + " is outside the " + width
                            + " columns");
                }
                float[] x = new float[width - 1];
                int at = 0;
                for (int c = 0; c < width; c++) {
                    if (c == label) {
                        ys.add(classId(cells[c], name, lineNo, record > 1));
                    } else {
                        x[at++] = number(cells[c], name, lineNo, record > 1) * scale;
                    }
                }
                xs.add(x);
            }
        } catch (RuntimeException e) { // the iterator wraps the parser's own error
            if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                throw new IOException(name + ":" + (lineNo + 1) + ": not a CSV line (an unclosed quote?)");
            }
            throw e;
        }
        if (xs.isEmpty()) {
            throw new IOException(name + ": no data rows");
        }
        return new LabeledRows(width - 1, xs, ys);
    }

    private static float number(String cell, String name, int lineNo, boolean later) throws IOException {
        try {
            return Float.parseFloat(cell);
        } catch (NumberFormatException e) {
            throw notData(name, lineNo, later, "'" + cell + "' is not a number");
        }
    }

    /** A class id: a whole number, also written as a decimal ({@code 2.0}, as pandas writes integer columns). */
    private static long classId(String cell, String name, int lineNo, boolean later) throws IOException {
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw notData(name, lineNo, later, "the label '" + cell + "' is not a class id");
        }
        if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
            throw new IOException(name + ":" + lineNo + ": the label " + cell + " is not a class id (a whole number"
                    + " >= 0); produce streams classification data");
        }
        return (long) v;
    }

    /** @param later false for the first record, which may be a header the user did not mention */
    private static IOException notData(String name, int lineNo, boolean later, String what) {
        return new IOException(name + ":" + lineNo + ": " + what + (later ? ""
                : "; if the first line is a header (scikit-learn's files start with one), pass --header"));
    }
}
