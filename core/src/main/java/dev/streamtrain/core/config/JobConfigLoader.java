package dev.streamtrain.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.model.Normalization;
import dev.streamtrain.core.schedule.LrPolicy;
import dev.streamtrain.core.schedule.ScheduleSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Parses and validates job files (YAML or JSON; JSON is YAML). Every key, its default and its rule are here, in one
 * place; a file with problems is rejected with one {@link ConfigException} listing all of them by key path.
 */
public final class JobConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private JobConfigLoader() {
    }

    /** Loads and validates a job file. */
    public static JobConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("(file): cannot read: " + e.getMessage()));
        }
        return parse(text, file.toString());
    }

    /** Parses and validates job-file text. */
    public static JobConfig parse(String text, String source) {
        return fromTree(tree(text, source), source);
    }

    /**
     * A job file whose {@code schedule.auto-range} was answered: the range's bounds written into its CyclicLR and
     * OneCycleLR specs, auto-range off.
     */
    public static WithRange withRange(Path file, LrRange range) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("(file): cannot read: " + e.getMessage()));
        }
        JsonNode root = tree(text, file.toString());
        List<String> problems = new java.util.ArrayList<>();
        normalize(root, problems); // the bounds go into the spec as the loader reads it
        if (!problems.isEmpty()) {
            throw new ConfigException(file.toString(), problems);
        }
        var schedule = (com.fasterxml.jackson.databind.node.ObjectNode) root.path("schedule");
        schedule.remove("auto-range");
        var filled = AutoRangeBounds.fill(schedule, "schedule", range, null);
        return new WithRange(fromTree(root, file.toString()), filled);
    }

    /**
     * @param config the job with the range's bounds
     * @param filled what was set, by key path ({@code schedule.params.max_lr} ...)
     */
    public record WithRange(JobConfig config, java.util.Map<String, Double> filled) {
        public WithRange {
            filled = java.util.Map.copyOf(filled);
        }
    }

    /**
     * PyTorch's and LightningCLI's ways of writing the optimizer and the schedule ({@link PyTorchSpecs}); a
     * LightningCLI file's {@code lr_scheduler:} section is the job's {@code schedule:}. Idempotent.
     */
    private static void normalize(JsonNode root, List<String> problems) {
        if (root instanceof com.fasterxml.jackson.databind.node.ObjectNode job && job.has("lr_scheduler")) {
            if (job.has("schedule")) {
                problems.add("lr_scheduler: is LightningCLI's name for schedule, and the job has both; keep one");
                job.remove("lr_scheduler");
            } else {
                job.set("schedule", job.remove("lr_scheduler"));
            }
        }
        dev.streamtrain.core.schedule.PyTorchSpecs.optimizer(root.get("optimizer"), "optimizer", problems);
        dev.streamtrain.core.schedule.PyTorchSpecs.scheduler(root.get("schedule"), "schedule", problems);
    }

    private static JsonNode tree(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            List<String> lines = text.lines().toList();
            int tab = java.util.stream.IntStream.range(0, lines.size())
                    .filter(i -> lines.get(i).replaceAll("^( *)\t.*", "\t").equals("\t")).findFirst().orElse(-1);
            throw new ConfigException(source, List.of("(syntax): not valid YAML" + (tab >= 0
                    ? ": line " + (tab + 1) + " is indented with a tab, and YAML indents with spaces"
                    : dev.streamtrain.core.wire.PythonJson.where(e))));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("(syntax): not valid YAML"));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(source, List.of("(root): must be a map of sections"));
        }
        return root;
    }

    /** The loss named in the job, checked against the head (default: the head's natural loss). */
    private static String lossFor(ConfigReader r, String head) {
        String natural = switch (head) {
            case "softmax" -> "cross_entropy";
            case "sigmoid" -> "bce";
            default -> "mse";
        };
        String loss = r.choice("training.loss", natural, JobConfig.TrainingSettings.LOSSES);
        List<String> fitting = switch (head) {
            case "softmax" -> List.of("cross_entropy");
            case "sigmoid" -> List.of("bce");
            default -> List.of("mse", "l1", "huber");
        };
        if (!fitting.contains(loss)) {
            r.problem("training.loss", "'" + loss + "' does not fit model.head " + head + "; use one of " + fitting);
            return natural;
        }
        return loss;
    }

    /** A reader of a section, which must be a map of keys when present (a scalar or list is reported). */
    private static ConfigReader section(ConfigReader r, String key) {
        var node = r.raw(key);
        if (node != null && !node.isObject()) {
            r.problem(key, "must be a section (a map of keys), got " + node.getNodeType().name().toLowerCase());
            node = null;
        }
        return new ConfigReader(node, key, r.problems());
    }

    /** Validates an already parsed tree. */
    public static JobConfig fromTree(JsonNode root, String source) {
        return read(root, source).config();
    }

    /**
     * A job file as it runs, every default filled in, in the job file's own keys: YAML of {@link Resolved#settings}
     * loads back as the same job ({@code run --check}). The control token and auto-range's stand-ins are left out.
     */
    public static Resolved resolved(Path file) {
        try {
            return read(tree(Files.readString(file), file.toString()), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("(file): cannot read: " + e.getMessage()));
        }
    }

    /**
     * @param config the validated job
     * @param settings every setting read, with the value taken
     */
    public record Resolved(JobConfig config, com.fasterxml.jackson.databind.node.ObjectNode settings) {
    }

    private static Resolved read(JsonNode root, String source) {
        List<String> pytorch = new java.util.ArrayList<>();
        normalize(root, pytorch);
        ConfigReader r = new ConfigReader(root);
        r.problems().addAll(pytorch);
        String job = r.string("job", "streamtrain");
        if (job == null || !job.matches("[A-Za-z0-9._-]+")) {
            r.problem("job", "must be a non-empty name of letters, digits, '.', '_' or '-', got '" + job + "'");
            job = "streamtrain";
        }
        Path workDir = Path.of(r.string("work-dir", "work/" + job));

        var kafka = new JobConfig.KafkaSettings(
                r.string("kafka.bootstrap-servers", ""),
                (int) r.integer("kafka.topic-partitions", 1, 1, 10_000),
                r.passThroughMap("kafka.consumer"),
                r.passThroughMap("kafka.producer"));

        ConfigReader in = new ConfigReader(r.raw("ingest"), "ingest", r.problems());
        var ingest = IngestSettingsReader.read(in, job);
        in.reportUnknownKeys();

        int inputs = (int) r.integer("model.inputs", 64, 1, 1_000_000);
        List<Integer> hidden = r.intList("model.hidden", List.of(128), 1);
        String head = r.choice("model.head", "softmax", ModelSpec.HEADS);
        int classes = (int) r.integer("model.classes", 10, head.equals("softmax") ? 2 : 1, 1_000_000);
        String activation = r.choice("model.activation", "relu", ModelSpec.ACTIVATIONS);
        boolean batchNorm = r.bool("model.batch-norm", false);
        double dropout = r.decimal("model.dropout", 0, 0, 0.99, true);
        boolean residual = r.bool("model.residual", false);
        if (residual && (hidden.size() < 2 || hidden.stream().distinct().count() != 1)) {
            r.problem("model.residual", "needs at least two hidden layers of equal width, got " + hidden);
            residual = false;
        }
        String normalize = r.choice("model.normalize", "standard", Normalization.KINDS);
        Double normalizeMomentum = r.optionalDecimal("model.normalize-momentum", 0, 1, false);
        if (normalizeMomentum != null && !normalize.equals("standard")) {
            r.problem("model.normalize-momentum", "applies to model.normalize: standard only, and it is " + normalize
                    + (normalize.equals("minmax") ? " (one-row minibatches would collapse an averaged range)" : ""));
            normalizeMomentum = null;
        }
        ModelSpec model = new ModelSpec(inputs, hidden, classes, activation, batchNorm, dropout, residual, head,
                new Normalization(normalize, normalizeMomentum));

        ConfigReader opt = new ConfigReader(r.raw("optimizer"), "optimizer", r.problems());
        var optimizer = OptimizerSettings.read(opt);
        opt.reportUnknownKeys();

        ConfigReader scheduleReader = new ConfigReader(r.raw("schedule"), "schedule", r.problems());
        boolean autoRange = scheduleReader.bool("auto-range", false);
        if (autoRange) {
            AutoRangeBounds.placeholders(r.raw("schedule"), scheduleReader);
        }
        LrPolicy schedule = ScheduleSpecs.parseSection(scheduleReader, optimizer.lr());
        scheduleReader.reportUnknownKeys();

        ConfigReader tricksReader = new ConfigReader(r.raw("tricks"), "tricks", r.problems());
        var tricks = TricksSettings.read(tricksReader);
        if (tricks.zeroInitResidual() && !(model.residual() && model.batchNorm())) {
            tricksReader.problem("zero-init-residual", "needs model.residual: true and model.batch-norm: true (it zeroes"
                    + " the batch-norm gamma of each residual branch)");
        }
        tricksReader.reportUnknownKeys();

        var training = new JobConfig.TrainingSettings(
                (int) r.integer("training.eval-every", 50, 1, Integer.MAX_VALUE),
                (int) r.integer("training.log-every", 10, 1, Integer.MAX_VALUE),
                lossFor(r, head),
                r.decimal("training.huber-delta", 1.0, 0, 1e9, false),
                r.integer("training.max-updates", 0, 0, Long.MAX_VALUE),
                r.integer("training.seed", 42, Long.MIN_VALUE, Long.MAX_VALUE));

        var checkpoint = new JobConfig.CheckpointSettings(
                Path.of(r.string("checkpoint.dir", workDir.resolve("checkpoints").toString())),
                (int) r.integer("checkpoint.keep", 3, 1, 1000), r.integer("checkpoint.every-seconds", 0, 0, 86_400),
                (int) r.integer("checkpoint.keep-best", 0, 0, 1000));

        var serving = new JobConfig.ServingSettings(
                r.string("serving.host", "127.0.0.1"),
                (int) r.integer("serving.port", 8080, 0, 65_535),
                r.string("serving.token", System.getenv().getOrDefault("STREAMTRAIN_TOKEN", "")),
                r.string("serving.request-topic", ""), r.string("serving.response-topic", job + ".responses"),
                (int) r.integer("serving.history-points", 2000, 10, 100_000), r.bool("serving.protect-views", false));

        ConfigReader monitorReader = section(r, "monitor");
        var monitor = MonitorSettings.read(monitorReader);
        monitorReader.reportUnknownKeys();
        ConfigReader remediationReader = section(r, "remediation");
        var remediation = RemediationSettings.read(remediationReader);
        remediationReader.reportUnknownKeys();
        ConfigReader rollbackReader = section(r, "rollback");
        var rollback = RollbackSettings.read(rollbackReader);
        rollbackReader.reportUnknownKeys();
        ConfigReader validationReader = section(r, "validation");
        var validation = ValidationSettings.read(validationReader, job);
        validationReader.reportUnknownKeys();
        boolean stopping = r.has("early-stopping") && r.raw("early-stopping").isObject();
        ConfigReader stoppingReader = section(r, "early-stopping");
        var earlyStopping = EarlyStoppingSettings.read(stoppingReader, stopping, validation);
        stoppingReader.reportUnknownKeys();

        ConfigReader deployReader = section(r, "deploy");
        var deploy = DeploySettings.read(deployReader, ingest.stopAtEnd(), validation);
        deployReader.reportUnknownKeys();

        CrossSectionChecks.check(r, model, optimizer, schedule, tricks, training, validation);
        r.reportUnknownKeys();
        if (!r.problems().isEmpty()) {
            throw new ConfigException(source, r.problems());
        }
        return new Resolved(new JobConfig(job, workDir, kafka, ingest, model, optimizer, schedule, tricks, training,
                checkpoint, serving, monitor, remediation, rollback, earlyStopping, validation, deploy, autoRange),
                r.resolved().tree());
    }
}
