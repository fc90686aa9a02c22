package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.deploy.OnnxModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tabular data in raw units, end to end as a user runs it ({@code produce} a CSV, {@code run} a job file written from
 * the README): with the default {@code model.normalize} the job reaches the accuracy of the same job on features the
 * user standardised by hand, and the exported ONNX model takes raw rows; without normalization it does not learn.
 */
class TabularInputsTest {
    private static final int FEATURES = 12;
    private static final int ROWS = 1200;

    /**
     * A fixed-seed tabular data set: three classes, twelve features whose units span 1e-3 to 1e5 (feature f has
     * spread 10^(f % 9 - 3) and sits five spreads off zero), each shifted by the class by a seeded amount.
     */
    static double[][] rawRows(long seed) {
        Random rnd = new Random(seed);
        double[][] means = new double[3][FEATURES];
        for (double[] m : means) {
            for (int f = 0; f < FEATURES; f++) {
                m[f] = rnd.nextGaussian();
            }
        }
        double[][] rows = new double[ROWS][FEATURES + 1];
        for (int r = 0; r < ROWS; r++) {
            int c = r % 3;
            for (int f = 0; f < FEATURES; f++) {
                double unit = Math.pow(10, f % 9 - 3);
                rows[r][f] = (5 + means[c][f] + rnd.nextGaussian()) * unit;
            }
            rows[r][FEATURES] = c;
        }
        return rows;
    }

    /** The same rows with each feature standardised over the file, as a user would by hand. */
    static double[][] standardised(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r].clone();
        }
        for (int f = 0; f < FEATURES; f++) {
            final int col = f;
            double mean = Stream.of(rows).mapToDouble(r -> r[col]).average().orElseThrow();
            double var = Stream.of(rows).mapToDouble(r -> (r[col] - mean) * (r[col] - mean)).average().orElseThrow();
            for (double[] r : out) {
                r[f] = (r[f] - mean) / Math.sqrt(var);
            }
        }
        return out;
    }

    static Path csv(Path file, double[][] rows) throws Exception {
        StringBuilder s = new StringBuilder();
        for (double[] r : rows) {
            for (int f = 0; f < FEATURES; f++) {
                s.append(String.format(java.util.Locale.ROOT, "%.9g,", r[f]));
            }
            s.append((int) r[FEATURES]).append('\n');
        }
        return Files.writeString(file, s.toString());
    }

    /** Produces the file's rows (a seeded fifth for validation, three passes) and runs a job on them. */
    static double trainedAccuracy(Path dir, String name, Path csv, String modelExtra) throws Exception {
        String servers = AppTestBroker.broker().bootstrapServers();
        var produced = ScheduleCommandTest.run("produce", "--csv", csv.toString(), "--topic", name + ".train",
                "--validation-fraction", "0.2", "--validation-topic", name + ".validation", "--passes", "3",
                "--seed", "7", "--bootstrap-servers", servers);
        assertEquals(0, produced.code(), produced.err());
        Path job = Files.writeString(dir.resolve(name + ".yaml"), """
                job: %s
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {stop-at-end: true}
                model: {inputs: %d, hidden: [32], classes: 3%s}
                serving: {port: 0}
                """.formatted(name, dir.resolve(name), servers, FEATURES, modelExtra));
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        java.io.PrintStream original = System.out;
        int code;
        System.setOut(new java.io.PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "run",
                    "--config", job.toString(), "--exit-after-export");
        } finally {
            System.setOut(original);
        }
        String printed = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err + printed);
        Matcher m = Pattern.compile("final validation accuracy +\\| ([0-9.]+)").matcher(printed);
        assertTrue(m.find(), printed);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void rawUnitsTrainAsWellAsHandStandardisedOnesWithTheDefaults(@TempDir Path dir) throws Exception {
        double[][] raw = rawRows(2026);
        double byHand = trainedAccuracy(dir, "tab-hand", csv(dir.resolve("hand.csv"), standardised(raw)),
                ", normalize: none");
        double defaults = trainedAccuracy(dir, "tab-raw", csv(dir.resolve("raw.csv"), raw), "");
        double unscaled = trainedAccuracy(dir, "tab-unscaled", csv(dir.resolve("raw.csv"), raw), ", normalize: none");
        assertTrue(byHand > 0.85, "the data set is learnable: " + byHand);
        assertTrue(defaults >= byHand - 0.03, "default normalize: " + defaults + " vs by hand " + byHand);
        assertTrue(unscaled < byHand - 0.15, "the switch matters: without it " + unscaled + " vs " + byHand);

        // the served model takes raw rows: its accuracy on them is the job's
        Path versions = dir.resolve("tab-raw/models");
        Path onnx;
        try (Stream<Path> s = Files.list(versions)) {
            onnx = s.sorted().reduce((a, b) -> b).orElseThrow().resolve("model.onnx");
        }
        float[] x = new float[ROWS * FEATURES];
        for (int r = 0; r < ROWS; r++) {
            for (int f = 0; f < FEATURES; f++) {
                x[r * FEATURES + f] = (float) raw[r][f];
            }
        }
        List<Integer> right = new ArrayList<>();
        try (OnnxModel model = new OnnxModel(Files.readAllBytes(onnx), FEATURES)) {
            float[] p = model.predict(x, ROWS);
            for (int r = 0; r < ROWS; r++) {
                int best = 0;
                for (int c = 1; c < 3; c++) {
                    best = p[r * 3 + c] > p[r * 3 + best] ? c : best;
                }
                if (best == (int) raw[r][FEATURES]) {
                    right.add(r);
                }
            }
        }
        double served = right.size() / (double) ROWS;
        System.out.printf("tabular raw units: by hand %.4f, default normalize %.4f, none %.4f, ONNX on raw rows %.4f%n",
                byHand, defaults, unscaled, served);
        assertTrue(Math.abs(served - defaults) < 0.05, "ONNX on raw rows " + served + " vs the job's " + defaults);
    }
}
