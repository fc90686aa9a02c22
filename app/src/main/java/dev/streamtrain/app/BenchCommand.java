package dev.streamtrain.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamtrain bench}: throughput figures, each as a ratio against a baseline measured in the same process. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure ingest, training and the whole pipeline on this machine.",
            "",
            "decode: rows/s of decoding and validating each record format (the digits",
            "        rows as safetensors and npz minibatches of 32, JSON and CSV",
            "        examples), relative to safetensors.",
            "train:  samples/s of the real training loop (MLP 64-128-10, batch 32,",
            "        no Kafka) for each optimizer and trick, relative to plain SGD;",
            "        every setup warmed up once, then interleaved over --rounds rounds;",
            "        the median is reported.",
            "pipeline: on an embedded broker (about 3.5 minutes),",
            "        B1 samples/s from Kafka through ingest to the trainer over the",
            "           in-memory loop on the same minibatches, batch 32 and 256;",
            "        B2 MB/s of ingest alone (decode, validate, hand over) over a",
            "           plain KafkaConsumer poll loop on the same topic (three",
            "           times --rounds rounds: each is short);",
            "        B3 freshness: the age of an example when an update applies it",
            "           (from its st-produced-at header), at half the rate the pipeline",
            "           sustains while a producer outpaces it, with",
            "           Kafka's own share measured by a plain consumer beside it;",
            "        B5 the trainer thread's time at the default cadence: computing,",
            "           evaluating, checkpoints; and restart to first update after",
            "           `streamtrain run` in a child JVM is killed with SIGKILL.",
            "serve:  B4 POST /v1/predict one-row latency at 4 clients over loopback,",
            "        steady and while a new version is swapped in every 100 ms,",
            "        beside ONNX Runtime's own latency; failed requests counted.",
            "Figures are for comparing within one run: absolute numbers move with",
            "the machine and its load, ratios much less.", ""})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--only", description = "decode, train, pipeline or serve (default: all four).")
    String only;

    @Option(names = "--updates", defaultValue = "1000", description = "Updates per training run (default: ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Runs of each training setup and pipeline figure (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--freshness-seconds", defaultValue = "15",
            description = "How long B3 produces at its paced rate (default: ${DEFAULT-VALUE}).")
    int freshnessSeconds;

    @Option(names = "--format", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--pipeline-samples", defaultValue = "640000",
            description = "Samples per pipeline run (default: ${DEFAULT-VALUE}).")
    long pipelineSamples;

    @Option(names = "--serve-seconds", defaultValue = "5",
            description = "B4's load time, each of warm-up, steady and swapping (default: ${DEFAULT-VALUE}).")
    int serveSeconds;

    @Option(names = "--decode-millis", defaultValue = "1000", description = "Time per record format (default: ${DEFAULT-VALUE}).")
    long decodeMillis;

    @Override
    public Integer call() throws Exception {
        if (only != null && !List.of("decode", "train", "pipeline", "serve").contains(only)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--only: unknown part '" + only + "' (decode, train, pipeline or serve)");
        }
        if (!List.of("table", "json").contains(format)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--format must be table or json");
        }
        if (updates < 1 || rounds < 1 || decodeMillis < 1 || freshnessSeconds < 1 || serveSeconds < 1
                || pipelineSamples < 256) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--updates, --rounds, --decode-millis, --freshness-seconds and --serve-seconds must be >= 1,"
                            + " --pipeline-samples >= 256");
        }
        PrintWriter screen = spec.commandLine().getOut();
        boolean json = "json".equals(format);
        // with --format json the tables are not printed; the figures come as one JSON document at the end
        PrintWriter out = json ? new PrintWriter(java.io.OutputStream.nullOutputStream()) : screen;
        Map<String, Object> report = new LinkedHashMap<>();
        LabeledRows rows = CsvRows.digits();
        if (only == null || only.equals("decode")) {
            out.println("ingest: decode + validate, digits rows (" + rows.features() + " features)");
            List<DecodeBench.Result> decode = DecodeBench.run(rows, decodeMillis);
            double base = decode.get(0).rowsPerSecond();
            row(out, "format", "rows/s", "vs safetensors");
            decode.forEach(r -> row(out, r.format().name().toLowerCase(Locale.ROOT), grouped(r.rowsPerSecond()),
                    ratio(r.rowsPerSecond() / base)));
            out.println();
            report.put("decode", decode);
        }
        if (only == null || only.equals("train")) {
            out.printf("training: MLP 64-128-10, batch 32, %d updates x %d rounds per setup (median)%n", updates, rounds);
            Path scratch = Files.createTempDirectory("streamtrain-bench");
            try {
                List<TrainBench.Result> train = TrainBench.run(rows, updates, rounds, scratch);
                double base = train.get(0).samplesPerSecond();
                row(out, "setup", "samples/s", "vs SGD");
                train.forEach(r -> row(out, r.setup(), grouped(r.samplesPerSecond()), ratio(r.samplesPerSecond() / base)));
                out.println();
                report.put("train", train);
            } finally {
                dev.streamtrain.core.model.AtomicFiles.deleteTree(scratch);
            }
        }
        if (only == null || only.equals("pipeline")) {
            out.printf("pipeline: embedded broker, MLP 64-128-10, %,d samples per run, %d round%s (median)%s%n",
                    pipelineSamples, rounds, rounds == 1 ? "" : "s", pipelineSamples < 640_000
                            ? "; shorter runs than the default mostly measure the JIT warming up" : "");
            out.flush();
            PipelineFigures figures = PipelineFigures.measure(rows, pipelineSamples, rounds, freshnessSeconds);
            figures.print(out);
            report.put("pipeline", figures);
        }
        if (only == null || only.equals("serve")) {
            ServeBench.Result serve = ServeBench.run(serveSeconds);
            ServeBench.print(out, serve);
            report.put("serve", serve);
        }
        out.flush();
        if (json) {
            screen.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(report));
            screen.flush();
        }
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
