package dev.streamtrain.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int lineNo = 0;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if ((header && lineNo == 1) || line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (width < 0) {
                width = cells.length;
            } else if (cells.length != width) {
                throw new IOException(name + ":" + lineNo + ": " + cells.length + " columns, expected " + width);
            }
            int label = labelColumn < 0 ? width + labelColumn : labelColumn;
            if (label < 0 || label >= width) {
                throw new IOException(name + ": label column " + labelColumn + " is outside the " + width + " columns");
            }
            float[] x = new float[width - 1];
            int at = 0;
            try {
                for (int c = 0; c < width; c++) {
                    if (c == label) {
                        ys.add(Long.parseLong(cells[c].trim()));
                    } else {
                        x[at++] = Float.parseFloat(cells[c].trim()) * scale;
                    }
                }
            } catch (NumberFormatException e) {
                throw new IOException(name + ":" + lineNo + ": not a number: " + e.getMessage());
            }
            xs.add(x);
        }
        if (xs.isEmpty()) {
            throw new IOException(name + ": no data rows");
        }
        return new LabeledRows(width - 1, xs, ys);
    }
}
