package dev.streamtrain.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.streamtrain.app.plot.Charts;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.schedule.ScheduleSpecs;
import dev.streamtrain.core.schedule.ScheduleTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamtrain schedule}: tabulate or plot a learning-rate schedule before training with it. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = {"Show a learning-rate schedule before you train with it.",
            "",
            "The spec (JSON or YAML) uses PyTorch's scheduler and argument names:",
            "  {\"scheduler\": \"OneCycleLR\", \"params\": {\"max_lr\": 0.1, \"total_steps\": 1000},",
            "   \"base_lr\": 0.1, \"momentum\": 0.9}",
            "SequentialLR and ChainedScheduler nest specs in params.schedulers;",
            "ReduceLROnPlateau (outermost) may wrap one in params.schedule.",
            "Schedulers: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,",
            "  CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, LinearLR, ConstantLR,",
            "  PolynomialLR, SequentialLR, ChainedScheduler, ReduceLROnPlateau,",
            "  InverseTimeLR, WarmupCosine, WarmupMultiStep, HoldCosine, warmup, SGDR.",
            "",
            "Without --metrics, lr[i] is the rate used by the i-th update (i = 0..N-1);",
            "momentum appears when the schedule cycles it. With --metrics (a JSON array;",
            "\"NaN\", \"Infinity\", \"-Infinity\" allowed) and a ReduceLROnPlateau spec,",
            "lr[i] is the rate after observing metrics[i].", ""})
final class ScheduleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--spec", required = true, description = "The schedule spec file (JSON or YAML).")
    Path specFile;

    @Option(names = "--steps", description = "Number of updates to tabulate (default: the number of metrics).")
    Integer steps;

    @Option(names = "--metrics", description = "JSON array of validation metrics, one per step.")
    Path metricsFile;

    @Option(names = "--format", defaultValue = "json", description = "json, csv, png or svg (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", description = "Write here instead of standard output (png, svg: default schedule.png, .svg).")
    Path out;

    @Option(names = "--log-y", description = "png, svg: draw the learning rate on a log10 axis (long decays).")
    boolean logY;

    @Override
    public Integer call() throws Exception {
        String fmt = format.toLowerCase(Locale.ROOT);
        boolean plot = fmt.equals("png") || fmt.equals("svg");
        if (logY && !plot) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-y needs --format png or svg");
        }
        if (!plot && !fmt.equals("json") && !fmt.equals("csv")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be json, csv, png or svg, got '"
                    + format + "'");
        }
        JsonNode specNode = new YAMLMapper().readTree(specFile.toFile());
        var document = ScheduleSpecs.parseDocument(specNode, specFile.toString());
        ScheduleTable table;
        if (metricsFile != null) {
            double[] metrics = readMetrics(metricsFile);
            if (steps != null && steps > metrics.length) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--steps " + steps + " needs at least "
                        + steps + " metrics, " + metricsFile + " holds " + metrics.length);
            }
            int n = steps == null ? metrics.length : steps;
            table = ScheduleTable.observing(document.policy(), java.util.Arrays.copyOf(metrics, n));
        } else {
            if (steps == null || steps < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--steps N (N >= 1) is required without --metrics");
            }
            table = ScheduleTable.of(document.policy(), steps);
        }
        String title = specNode.path("scheduler").asText("constant") + (metricsFile != null ? " on " + metricsFile.getFileName() : "");
        byte[] bytes = switch (fmt) {
            case "json" -> json(table).getBytes(StandardCharsets.UTF_8);
            case "csv" -> csv(table).getBytes(StandardCharsets.UTF_8);
            case "png" -> Charts.png(chart(table, title, logY));
            default -> Charts.svg(chart(table, title, logY)).getBytes(StandardCharsets.UTF_8);
        };
        Path target = out == null && plot ? Path.of("schedule." + fmt) : out;
        if (target == null) {
            PrintWriter w = spec.commandLine().getOut();
            w.print(new String(bytes, StandardCharsets.UTF_8));
            w.flush();
        } else {
            Files.write(target, bytes);
            spec.commandLine().getOut().println("wrote " + target);
        }
        return 0;
    }

    static double[] readMetrics(Path file) throws IOException {
        JsonNode array = Events.mapper().readTree(file.toFile());
        if (array == null || !array.isArray()) {
            throw new IOException(file + ": expected a JSON array of numbers");
        }
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = array.get(i);
            if (n.isNumber()) {
                out[i] = n.asDouble();
            } else if (n.isTextual() && java.util.List.of("NaN", "Infinity", "-Infinity").contains(n.asText())) {
                out[i] = Double.parseDouble(n.asText());
            } else {
                throw new IOException(file + ": element " + i + " is not a number: " + n);
            }
        }
        return out;
    }

    static String json(ScheduleTable t) {
        ObjectNode root = Events.mapper().createObjectNode();
        ArrayNode lr = root.putArray("lr");
        for (double v : t.lr()) {
            lr.add(v);
        }
        if (t.momentum() != null) {
            ArrayNode m = root.putArray("momentum");
            for (double v : t.momentum()) {
                m.add(v);
            }
        }
        return root + System.lineSeparator();
    }

    static String csv(ScheduleTable t) {
        StringBuilder sb = new StringBuilder(t.momentum() == null ? "step,lr\n" : "step,lr,momentum\n");
        for (int i = 0; i < t.lr().length; i++) {
            sb.append(i).append(',').append(t.lr()[i]);
            if (t.momentum() != null) {
                sb.append(',').append(t.momentum()[i]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The schedule's chart: the rate (and the cycled momentum) over the update. */
    static org.jfree.chart.JFreeChart chart(ScheduleTable t, String title, boolean logLr) {
        return Charts.schedule(title, t.lr(), t.momentum(), logLr);
    }
}
