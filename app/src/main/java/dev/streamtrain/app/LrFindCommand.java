package dev.streamtrain.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtrain.app.plot.Charts;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.lrfind.RangeCurve;
import dev.streamtrain.core.lrfind.RangeSuggestions;
import dev.streamtrain.core.lrfind.RangeSweep;
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

/** {@code streamtrain lr-find --config job.yaml}: the learning-rate range test on the job's stream. */
@Command(name = "lr-find", mixinStandardHelpOptions = true,
        description = {"Find the learning rate before training with it: the range test on the live stream.",
            "",
            "A throwaway copy of the job's model (same optimizer, tricks and loss) trains on",
            "the job's training topics while the rate rises from --start to --end over",
            "--steps updates. Its own consumer reads them (the job's offsets are never",
            "committed, its checkpoints never touched). The loss is smoothed as fastai does",
            "(beta 0.98); the sweep stops early once the smoothed loss passes 4x its best.",
            "",
            "Prints the suggestions with their definitions (steepest descent, minimum/10,",
            "valley; CyclicLR base_lr/max_lr and a OneCycleLR max_lr), ready-to-paste",
            "schedule: blocks, and writes a plot of the loss against the rate (PNG and SVG).",
            "schedule.auto-range: true in a job file runs this before training and fills",
            "its CyclicLR / OneCycleLR bounds.", ""})
final class LrFindCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "The job file.")
    Path config;

    @Option(names = "--from", defaultValue = "committed", description = "Where to read: earliest, latest (new records"
            + " only) or committed (where the job would resume; the earliest when it committed nothing). Default:"
            + " ${DEFAULT-VALUE}.")
    String from;

    @Option(names = "--last", defaultValue = "0", description = "Replay only the last N records of each partition"
            + " (overrides --from).")
    long last;

    @Option(names = "--wait", defaultValue = "60", description = "--from latest: end once no new record came for this"
            + " many seconds (default: ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Option(names = "--start", defaultValue = "1e-7", description = "First rate (default: ${DEFAULT-VALUE}).")
    double start;

    @Option(names = "--end", defaultValue = "10", description = "Last rate (default: ${DEFAULT-VALUE}).")
    double end;

    @Option(names = "--steps", defaultValue = "100", description = "Updates in the sweep (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--mode", defaultValue = "exp", description = "exp or linear rise (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--format", defaultValue = "table", description = "table (suggestions), json or csv (the raw"
            + " curve) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", description = "Write the json or csv here instead of standard output.")
    Path out;

    @Option(names = "--plot", defaultValue = "lr-find.png", description = "The plot, written as FILE.png and FILE.svg"
            + " (default: ${DEFAULT-VALUE}; 'none': no plot).")
    String plot;

    @Override
    public Integer call() throws Exception {
        var problems = new java.util.ArrayList<>(RangeSweep.problems(start, end, steps, mode));
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("table", "json", "csv").contains(fmt)) {
            problems.add("--format must be table, json or csv, got '" + format + "'");
        }
        RangeReader.From position = switch (from.toLowerCase(Locale.ROOT)) {
            case "earliest" -> RangeReader.From.EARLIEST;
            case "latest" -> RangeReader.From.LATEST;
            case "committed" -> RangeReader.From.COMMITTED;
            default -> {
                problems.add("--from must be earliest, latest or committed, got '" + from + "'");
                yield null;
            }
        };
        if (last < 0) {
            problems.add("--last must be >= 0, got " + last);
        }
        if (waitSeconds < 1) {
            problems.add("--wait must be >= 1 second, got " + waitSeconds);
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("\n", problems));
        }
        JobConfig cfg = JobConfigLoader.load(config);
        RangeSweep sweep = new RangeSweep(start, end, steps, mode);
        PrintWriter console = spec.commandLine().getOut();
        try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
            // progress is status, not output: standard error, so --format json|csv can be piped
            var progress = new ConsoleProgress(System.err, System.console() != null);
            if (position == RangeReader.From.LATEST && last == 0) {
                progress.line("waiting for new records on " + cfg.ingest().describeSources() + " (up to "
                        + waitSeconds + " s without one)");
            }
            RangeTest.Result r = RangeTest.run(cfg, cluster.bootstrapServers(), sweep, position, last,
                    waitSeconds * 1000,
                    (n, m) -> progress.update(String.format(Locale.ROOT, "range test %s %d/%d | lr %.3g | loss %.4f",
                            ConsoleProgress.bar(n, sweep.steps()), n, sweep.steps(), m.lr(), m.loss()), false));
            progress.finish();
            RangeSuggestions suggestions = suggestions(r.curve(), console);
            report(console, cfg, sweep, r, suggestions, fmt);
            if (!plot.equals("none")) {
                var chart = Charts.rangeTest("Range test: " + cfg.job() + " (" + r.stopReason() + ")", r.curve(),
                        suggestions);
                String base = plot.replaceAll("\\.(png|svg)$", "");
                Path png = Path.of(base + ".png");
                Path svg = Path.of(base + ".svg");
                Files.write(png, Charts.png(chart));
                Files.writeString(svg, Charts.svg(chart));
                (fmt.equals("table") || out != null ? console : spec.commandLine().getErr())
                        .println("plot: " + png + ", " + svg);
            }
            console.flush();
            return suggestions == null ? 1 : 0;
        }
    }

    private RangeSuggestions suggestions(RangeCurve curve, PrintWriter console) {
        try {
            return RangeSuggestions.of(curve, steps);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("no suggestions: " + e.getMessage());
            return null;
        }
    }

    private void report(PrintWriter console, JobConfig cfg, RangeSweep sweep, RangeTest.Result r,
            RangeSuggestions s, String fmt) throws java.io.IOException {
        if (!fmt.equals("table")) {
            String text = fmt.equals("json") ? json(r, s) : csv(r.curve());
            if (out == null) {
                console.print(text);
            } else {
                Files.writeString(out, text, StandardCharsets.UTF_8);
                console.println("wrote " + out);
            }
            return;
        }
        console.printf(Locale.ROOT, "range test of %s: %d updates from %s, lr %.3g -> %.3g (%s); %s%n", cfg.job(),
                r.curve().size(), r.startedAt(), sweep.start(), sweep.end(), sweep.mode(), r.stopReason());
        console.printf("records read: %,d%s%n", r.records(), r.passedOver().isEmpty() ? ""
                : "; passed over (not trained): " + r.passedOver());
        if (s != null) {
            console.println();
            console.println("suggestions (on the smoothed loss, fastai's rules; the first tenth and last 5 points"
                    + " left out):");
            console.print(s.describe().indent(2));
            console.println();
            console.println("ready to paste into the job file:");
            console.print(s.scheduleBlocks().indent(2));
        }
    }

    static String json(RangeTest.Result r, RangeSuggestions s) {
        ObjectNode root = Events.mapper().createObjectNode();
        root.put("stop_reason", r.stopReason());
        var lr = root.putArray("lr");
        var loss = root.putArray("loss");
        var smoothed = root.putArray("smoothed");
        double[][] curve = {r.curve().lrs(), r.curve().losses(), r.curve().smoothed()}; // each a copy: take them once
        for (int i = 0; i < curve[0].length; i++) {
            lr.add(curve[0][i]);
            loss.add(curve[1][i]);
            smoothed.add(curve[2][i]);
        }
        if (s != null) {
            root.putObject("suggestions").put("steepest", s.steepest()).put("minimum_tenth", s.minimumTenth())
                    .put("valley", s.valley()).put("loss_minimum", s.lossMinimum())
                    .put("clr_base_lr", s.clrBaseLr()).put("clr_max_lr", s.clrMaxLr())
                    .put("one_cycle_max_lr", s.oneCycleMaxLr());
        }
        return root + System.lineSeparator();
    }

    static String csv(RangeCurve c) {
        StringBuilder sb = new StringBuilder("update,lr,loss,smoothed_loss\n");
        double[] lrs = c.lrs();
        double[] losses = c.losses();
        double[] smoothed = c.smoothed();
        for (int i = 0; i < lrs.length; i++) {
            sb.append(i).append(',').append(lrs[i]).append(',').append(losses[i]).append(',').append(smoothed[i])
                    .append('\n');
        }
        return sb.toString();
    }
}
