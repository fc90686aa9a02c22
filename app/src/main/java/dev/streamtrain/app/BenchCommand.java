package dev.streamtrain.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamtrain bench}: throughput figures, each as a ratio against a baseline measured in the same process. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure ingest decoding and training throughput on this machine.",
            "",
            "decode: rows/s of decoding and validating each record format (the digits",
            "        rows as safetensors and npz minibatches of 32, JSON and CSV",
            "        examples), relative to safetensors.",
            "train:  samples/s of the real training loop (MLP 64-128-10, batch 32,",
            "        no Kafka) for each optimizer and trick, relative to plain SGD;",
            "        every setup warmed up once, then interleaved over --rounds rounds;",
            "        the median is reported.",
            "Figures are for comparing within one run: absolute numbers move with",
            "the machine and its load, ratios much less.", ""})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--only", description = "decode or train (default: both).")
    String only;

    @Option(names = "--updates", defaultValue = "1000", description = "Updates per training run (default: ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--rounds", defaultValue = "3", description = "Runs of each training setup (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--decode-millis", defaultValue = "1000", description = "Time per record format (default: ${DEFAULT-VALUE}).")
    long decodeMillis;

    @Override
    public Integer call() throws Exception {
        if (only != null && !List.of("decode", "train").contains(only)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--only must be decode or train");
        }
        if (updates < 1 || rounds < 1 || decodeMillis < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--updates, --rounds and --decode-millis must be >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        LabeledRows rows = CsvRows.digits();
        if (only == null || only.equals("decode")) {
            out.println("ingest: decode + validate, digits rows (" + rows.features() + " features)");
            List<DecodeBench.Result> decode = DecodeBench.run(rows, decodeMillis);
            double base = decode.get(0).rowsPerSecond();
            row(out, "format", "rows/s", "vs safetensors");
            decode.forEach(r -> row(out, r.format().name().toLowerCase(Locale.ROOT), grouped(r.rowsPerSecond()),
                    ratio(r.rowsPerSecond() / base)));
            out.println();
        }
        if (only == null || only.equals("train")) {
            out.printf("training: MLP 64-128-10, batch 32, %d updates x %d rounds per setup (median)%n", updates, rounds);
            Path scratch = Files.createTempDirectory("streamtrain-bench");
            try {
                List<TrainBench.Result> train = TrainBench.run(rows, updates, rounds, scratch);
                double base = train.get(0).samplesPerSecond();
                row(out, "setup", "samples/s", "vs SGD");
                train.forEach(r -> row(out, r.setup(), grouped(r.samplesPerSecond()), ratio(r.samplesPerSecond() / base)));
            } finally {
                try (var walk = Files.walk(scratch)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String name, String value, String ratio) {
        out.printf("  %-24s %14s %16s%n", name, value, ratio);
    }

    private static String grouped(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }
}
