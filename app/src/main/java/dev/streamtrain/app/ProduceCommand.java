package dev.streamtrain.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamtrain produce}: stream a CSV file into a topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Stream a CSV file into a Kafka topic for a job to train on.",
            "",
            "The file (optionally .gz, RFC 4180 CSV) holds numeric features and a class id",
            "(a whole number; 2.0 is class 2). A header line needs --header.",
            "safetensors: one minibatch per record (x float32 [rows, features],",
            "             y int64 [rows]);",
            "npz:         the same minibatch as a numpy .npz archive (np.load reads it);",
            "json:        one {\"x\": [...], \"y\": k} example per record;",
            "csv:         one line (features, then the class) per record;",
            "             --csv-header first sends a header line f0,...,label.", ""})
final class ProduceCommand implements Callable<Integer> {
    @Option(names = "--csv", required = true, description = "The CSV file: numeric features and a class id column.")
    Path csv;

    @Option(names = "--topic", required = true, description = "Destination topic.")
    String topic;

    @Option(names = "--bootstrap-servers", required = true, defaultValue = "${env:STREAMTRAIN_BOOTSTRAP_SERVERS}",
            description = "Kafka cluster (default: $STREAMTRAIN_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--label-column", defaultValue = "-1", description = "Index of the class column; negative counts from the end (default: ${DEFAULT-VALUE}, the last).")
    int labelColumn;

    @Option(names = "--batch-size", defaultValue = "32", description = "Rows per record for safetensors (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--format", defaultValue = "safetensors", description = "safetensors, npz, json or csv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--scale", defaultValue = "1.0", description = "Multiply every feature by this (e.g. 0.0625 for 0..16 pixels).")
    float scale;

    @Option(names = "--header", description = "The first line is a header.")
    boolean header;

    @Option(names = "--csv-header", description = "With --format csv: send a header line first (ingest.csv-header decides what a job does with it).")
    boolean csvHeader;

    @Option(names = "--rate", defaultValue = "0", description = "Records per second (default: 0, unlimited).")
    double rate;

    @Option(names = "--validation-fraction", defaultValue = "0", description = "Send this fraction of the rows (a"
            + " seeded split) to --validation-topic instead (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--validation-topic", description = "Where the validation rows go (with --validation-fraction).")
    String validationTopic;

    @Option(names = "--passes", defaultValue = "1", description = "Times the training rows are sent, reshuffled each"
            + " pass (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split and the shuffles (default:"
            + " ${DEFAULT-VALUE}).")
    long seed;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RecordFormat fmt = arguments(); // every argument checked before the file is read or Kafka is asked
        LabeledRows all = CsvRows.read(csv, labelColumn, scale, header);
        Random rnd = new Random(seed);
        LabeledRows[] split = validationFraction > 0 ? all.split(1 - validationFraction, seed)
                : new LabeledRows[] {all, null};
        ConsoleProgress console = ConsoleProgress.forStdout();
        long records = 0;
        try (RecordProducer producer = new RecordProducer(bootstrapServers, Map.of())) {
            if (split[1] != null) {
                producer.send(validationTopic, split[1], fmt, batchSize, null);
            }
            if (csvHeader) {
                producer.sendCsvHeader(topic, all.features());
            }
            long total = (long) split[0].size() * passes;
            for (int pass = 0; pass < passes; pass++) {
                long before = (long) split[0].size() * pass;
                LabeledRows rows = passes == 1 ? split[0] : split[0].shuffled(rnd);
                records += producer.send(topic, rows, fmt, batchSize,
                        sent -> console.update("producing " + ConsoleProgress.bar(before + sent, total), false),
                        rate > 0 ? Pacer.perSecond(rate) : null);
            }
        }
        console.finish();
        System.out.printf("produced %,d rows (%d features) as %,d %s records to %s%s%n", (long) split[0].size() * passes,
                all.features(), records, fmt.name().toLowerCase(java.util.Locale.ROOT), topic,
                (passes > 1 ? " (" + passes + " passes, reshuffled)" : "") + (split[1] == null ? ""
                        : "; " + split[1].size() + " validation rows to " + validationTopic));
        return 0;
    }

    /** Checks every argument, all problems in one message (exit 2). */
    private RecordFormat arguments() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        RecordFormat fmt = null;
        try {
            fmt = RecordFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("--format must be safetensors, npz, json or csv, got '" + format + "'");
        }
        if (batchSize < 1) {
            problems.add("--batch-size must be >= 1, got " + batchSize);
        }
        if (rate < 0) {
            problems.add("--rate must be >= 0, got " + rate);
        }
        if (csvHeader && fmt != RecordFormat.CSV) {
            problems.add("--csv-header needs --format csv");
        }
        if (!java.nio.file.Files.isReadable(csv)) {
            problems.add("--csv: " + csv + " is not a readable file");
        }
        if (validationTopic != null && validationTopic.equals(topic)) {
            problems.add("--validation-topic must differ from --topic (" + topic + ")");
        }
        if (passes < 1) {
            problems.add("--passes must be >= 1, got " + passes);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            problems.add("--validation-fraction must be in [0, 1), got " + validationFraction);
        } else if (validationFraction > 0 && (validationTopic == null || validationTopic.isBlank())) {
            problems.add("--validation-fraction needs --validation-topic");
        } else if (validationFraction == 0 && validationTopic != null) {
            problems.add("--validation-topic needs --validation-fraction (the share of rows to send there)");
        }
        if (!problems.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), String.join("\n", problems));
        }
        return fmt;
    }
}
