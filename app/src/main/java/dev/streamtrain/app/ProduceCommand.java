package dev.streamtrain.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamtrain produce}: stream a CSV file into a topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Stream a CSV file into a Kafka topic for a job to train on.",
            "",
            "The file (optionally .gz) holds numeric features and an integer class.",
            "safetensors: one minibatch per record (x float32 [rows, features],",
            "             y int64 [rows]);",
            "npz:         the same minibatch as a numpy .npz archive (np.load reads it);",
            "json:        one {\"x\": [...], \"y\": k} example per record;",
            "csv:         one line (features, then the class) per record;",
            "             --csv-header first sends a header line f0,...,label.", ""})
final class ProduceCommand implements Callable<Integer> {
    @Option(names = "--csv", required = true, description = "The CSV file: numeric features and an integer class column.")
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

    @Override
    public Integer call() throws Exception {
        RecordFormat fmt;
        try {
            fmt = RecordFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--format must be safetensors, npz, json or csv, got '" + format + "'");
        }
        if (batchSize < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--batch-size must be >= 1");
        }
        LabeledRows rows = CsvRows.read(csv, labelColumn, scale, header);
        ConsoleProgress console = ConsoleProgress.forStdout();
        long records;
        if (csvHeader && fmt != RecordFormat.CSV) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--csv-header needs --format csv");
        }
        try (RecordProducer producer = new RecordProducer(bootstrapServers, Map.of())) {
            if (rate < 0) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--rate must be >= 0");
            }
            if (csvHeader) {
                producer.sendCsvHeader(topic, rows.features());
            }
            records = producer.send(topic, rows, fmt, batchSize,
                    sent -> console.update("producing " + ConsoleProgress.bar(sent, rows.size()), false),
                    rate > 0 ? Pacer.perSecond(rate) : null);
        }
        console.finish();
        System.out.printf("produced %,d rows (%d features) as %,d %s records to %s%n", rows.size(), rows.features(),
                records, fmt.name().toLowerCase(java.util.Locale.ROOT), topic);
        return 0;
    }
}
