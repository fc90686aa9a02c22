package dev.streamtrain.app;

import java.util.ArrayList;
import java.util.List;

/** The end-of-run table: updates, examples, wall time, final validation accuracy, ONNX parity, model path. */
public final class RunSummary {
    private RunSummary() {
    }

    /** Renders the table for a finished run. */
    public static String render(Pipeline.Result r, String host) {
        return render(r, host, true);
    }

    /**
     * The summary table.
     *
     * @param staysServing false when the process ends after the export (no serving address is shown then)
     */
    public static String render(Pipeline.Result r, String host, boolean staysServing) {
        var t = r.training();
        var d = r.deployment();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"updates", String.format("%,d", t.updates())
                + (t.skippedUpdates() > 0 ? String.format(" (%,d refused by the guards, dead-lettered)",
                        t.skippedUpdates()) : "")});
        rows.add(new String[] {"examples", String.format("%,d", t.samples())});
        long deadLettered = t.progress().stream().mapToLong(p -> p.deadLettered()).sum();
        if (deadLettered > 0) {
            rows.add(new String[] {"records dead-lettered", String.format("%,d (reasons in the dead-letter topic's"
                    + " st-error-class header)", deadLettered)});
        }
        rows.add(new String[] {"stopped", t.stopReason()});
        for (var rb : r.rollbacks()) {
            long records = rb.quarantined().stream().mapToLong(q -> q.count()).sum();
            rows.add(new String[] {"rollback", String.format("update %,d -> %,d after %s: lr %.4g -> %.4g, %,d record%s %s",
                    rb.fromUpdate(), rb.toUpdate(), rb.reason(), rb.lrBefore(), rb.lrAfter(), records,
                    records == 1 ? "" : "s", rb.replay() ? "retrained once" : "dead-lettered")});
        }
        if (!r.alerts().isEmpty()) {
            rows.add(new String[] {"alerts", r.alerts().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", "))});
        }
        rows.add(new String[] {"wall time", String.format("%.1f s (%,.0f examples/s)", t.wallMillis() / 1000.0,
                t.samplesPerSecond())});
        var time = t.time();
        rows.add(new String[] {"trainer time", String.format("computing %.0f%%, waiting for ingest %.0f%%, evaluating"
                + " %.0f%%, checkpoints %.0f%%", 100 * time.share(time.computingMillis()),
                100 * time.share(time.waitingMillis()), 100 * time.share(time.evaluatingMillis()),
                100 * time.share(time.checkpointingMillis()))});
        rows.add(new String[] {"final validation accuracy", t.validation() == null ? "n/a (no validation data)"
                : String.format("%.4f (loss %.4f, %,d rows)", t.validation().accuracy(), t.validation().loss(),
                        t.validation().rows())});
        rows.add(new String[] {"ONNX parity", d.rowsCompared() == 0 ? "not verified: " + d.message()
                : String.format("ONNX Runtime and the trainer vs a float64 reference: largest difference %.2e over %,d"
                        + " rows: %s", d.parityMaxAbsDiff(), d.rowsCompared(), "failed".equals(d.decision())
                        ? "NOT SERVED" : "OK")});
        rows.add(new String[] {"model", d.onnxPath()});
        rows.add(new String[] {"checkpoint", t.checkpoint()});
        rows.add(new String[] {"serving", !d.served() ? "not served: " + d.message()
                : staysServing ? "http://" + host + ":" + r.servingPort() + "/v1/predict"
                : "verified, not served: the run ends after the export (serve it: streamtrain serve, or run without"
                        + " --exit-after-export)"});
        int w0 = rows.stream().mapToInt(x -> x[0].length()).max().orElse(0);
        int w1 = rows.stream().mapToInt(x -> x[1].length()).max().orElse(0);
        String line = "+" + "-".repeat(w0 + 2) + "+" + "-".repeat(w1 + 2) + "+\n";
        StringBuilder sb = new StringBuilder(line);
        for (String[] row : rows) {
            sb.append(String.format("| %-" + w0 + "s | %-" + w1 + "s |%n", row[0], row[1]));
        }
        return sb.append(line).toString();
    }
}
