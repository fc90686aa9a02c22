package dev.streamtrain.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtrain.core.batch.OffsetRanges;
import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.checkpoint.Lineage;
import dev.streamtrain.core.events.Events;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code streamtrain inspect}: what checkpoints hold, whether they are intact, and the exactly-once audit. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show checkpoints: update, examples, where they stand in the topics, validation",
            "metrics, whether they are good, and whether their files match their manifest.",
            "",
            "DIR is one checkpoint (ckpt-NNNNNNNNNNNN) or the checkpoint directory of a job",
            "(<work-dir>/checkpoints), which lists them all.",
            "",
            "--audit follows the lineage log from the newest intact good checkpoint back to",
            "the first one and counts, per partition, the records trained, trained more than",
            "once, handled without training (dead-lettered, skipped) and offsets never",
            "handled (gaps). Exit status 1 when a record was trained twice or a gap is found.", ""})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "A checkpoint, or a job's checkpoint directory.")
    Path dir;

    @Option(names = "--format", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--audit", description = "Audit the newest good checkpoint's lineage (exactly once, no gap).")
    boolean audit;

    /** One checkpoint as found on disk. */
    private record Found(Path dir, CheckpointManifest manifest, List<String> problems, boolean suspect) {
        boolean usable() {
            return manifest != null && problems.isEmpty() && manifest.good() && !suspect;
        }
    }

    @Override
    public Integer call() throws IOException {
        if (!format.equals("table") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be table or json, got '"
                    + format + "'");
        }
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), dir + " is not a directory");
        }
        boolean single = Files.exists(dir.resolve(CheckpointManifest.FILE)) || Files.exists(dir.resolve("state.json"));
        Path root = single ? dir.toAbsolutePath().getParent() : dir;
        List<Found> found = new ArrayList<>();
        for (Path d : single ? List.of(dir) : checkpoints(dir)) {
            var checked = CheckpointManifest.check(d);
            found.add(new Found(d, checked.problems().isEmpty() ? checked.manifest() : null, checked.problems(),
                    Files.exists(d.resolve(CheckpointManifest.SUSPECT_FILE))));
        }
        if (found.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no checkpoint in " + dir);
        }
        List<Lineage.Audit> audits = null;
        String auditError = null;
        if (audit) {
            var newest = found.stream().filter(Found::usable).reduce((a, b) -> b);
            if (newest.isEmpty() || !Files.exists(root.resolve(Lineage.FILE))) {
                auditError = "nothing to audit: no intact good checkpoint with a lineage log in " + root;
            } else {
                try {
                    audits = Lineage.audit(Lineage.chain(root, newest.get().manifest().id()));
                } catch (IOException e) {
                    auditError = "the lineage log cannot be followed: " + e.getMessage();
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            out.println(json(found, audits, auditError));
        } else {
            table(out, found);
            if (audit) {
                auditTable(out, audits, auditError);
            }
        }
        out.flush();
        boolean clean = audits == null ? auditError == null
                : audits.stream().allMatch(a -> a.duplicates() == 0 && a.gaps().isEmpty());
        return clean ? 0 : 1;
    }

    private static List<Path> checkpoints(Path root) throws IOException {
        try (Stream<Path> list = Files.list(root)) {
            return list.filter(p -> p.getFileName().toString().startsWith("ckpt-") && Files.isDirectory(p)).sorted()
                    .toList();
        }
    }

    private static void table(PrintWriter out, List<Found> found) {
        out.printf(Locale.ROOT, "%-18s %9s %11s %-9s %9s  %-20s %9s %9s  %s%n", "checkpoint", "update", "examples",
                "state", "parent at", "written (UTC)", "val loss", "val acc", "position (commit offset, +handled above)");
        for (Found f : found) {
            String name = f.dir().getFileName().toString();
            CheckpointManifest m = f.manifest();
            if (m == null) {
                out.printf(Locale.ROOT, "%-18s %s%n", name, f.problems().isEmpty()
                        ? "no manifest (written by an older version)" : "DAMAGED: " + String.join("; ", f.problems()));
                continue;
            }
            String state = f.suspect() ? "suspect" : m.good() ? "good" : "not good";
            String position = m.offsets().stream().map(o -> o.topic() + "-" + o.partition() + "@" + o.nextOffset())
                    .collect(Collectors.joining(", ")) + (m.handledAbove().isEmpty() ? ""
                    : " (+" + m.handledAbove().stream().mapToLong(r -> r.count()).sum() + ")");
            out.printf(Locale.ROOT, "%-18s %9d %11d %-9s %9s  %-20s %9s %9s  %s%n", name, m.update(), m.samples(),
                    state, m.parent() == null ? "-" : m.parent().substring(0, m.parent().indexOf('-')),
                    Instant.ofEpochMilli(m.createdMillis()).toString().substring(0, 19).replace('T', ' '),
                    m.validation() == null ? "-" : String.format(Locale.ROOT, "%.4f", m.validation().loss()),
                    m.validation() == null ? "-" : String.format(Locale.ROOT, "%.4f", m.validation().accuracy()),
                    position);
        }
    }

    private static void auditTable(PrintWriter out, List<Lineage.Audit> audits, String error) {
        out.println();
        if (audits == null) {
            out.println("audit: " + error);
            return;
        }
        out.printf(Locale.ROOT, "%-24s %10s %11s %12s  %s%n", "partition", "trained", "duplicates", "not trained",
                "gaps (never handled)");
        for (Lineage.Audit a : audits) {
            out.printf(Locale.ROOT, "%-24s %10d %11d %12d  %s%n", a.partition(), a.trained(), a.duplicates(),
                    a.notTrained(), a.gaps().isEmpty() ? "none" : OffsetRanges.describe(a.gaps()));
        }
        boolean clean = audits.stream().allMatch(a -> a.duplicates() == 0 && a.gaps().isEmpty());
        out.println(clean ? "exactly once: every record handled once, none trained twice, no gap"
                : "NOT exactly once: see duplicates and gaps above");
    }

    private static String json(List<Found> found, List<Lineage.Audit> audits, String auditError) {
        var mapper = Events.mapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode list = root.putArray("checkpoints");
        for (Found f : found) {
            ObjectNode n = list.addObject();
            n.put("dir", f.dir().toString());
            n.put("intact", f.problems().isEmpty());
            n.put("suspect", f.suspect());
            f.problems().forEach(n.withArray("problems")::add);
            if (f.manifest() != null) {
                n.set("manifest", mapper.valueToTree(f.manifest()));
            }
        }
        if (audits != null) {
            root.set("audit", mapper.valueToTree(audits));
        } else if (auditError != null) {
            root.put("audit_error", auditError);
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
