package dev.streamtrain.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.config.LrRange;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.LrRangeFound;
import dev.streamtrain.core.lrfind.RangeSuggestions;
import dev.streamtrain.core.lrfind.RangeSweep;
import dev.streamtrain.core.model.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code schedule.auto-range: true}: before training, a range test ({@link RangeTest}: 1e-7 to 10 over 100 updates,
 * exponential, from where the job resumes) fills the schedule's CyclicLR {@code base_lr}/{@code max_lr} and
 * OneCycleLR {@code max_lr}. The range is recorded beside the checkpoints ({@value #RECORD}); a restarted run takes it
 * from there rather than sweeping again, so its schedule does not change under it.
 */
final class AutoRange {
    /** The record of the range, in the checkpoint directory. */
    static final String RECORD = "lr-range.json";
    /** The sweep auto-range runs (fastai's defaults). */
    static final RangeSweep SWEEP = new RangeSweep(1e-7, 10, 100, "exp");

    /**
     * @param config the job with the range's bounds
     * @param event what to publish once the run started
     */
    record Outcome(JobConfig config, LrRangeFound event) {
    }

    private AutoRange() {
    }

    static Outcome resolve(Path file, JobConfig cfg, String bootstrapServers, ConsoleProgress console)
            throws Exception {
        Path record = cfg.checkpoint().dir().resolve(RECORD);
        String fingerprint = fingerprint(cfg);
        JsonNode saved = Files.exists(record) ? Events.mapper().readTree(record.toFile()) : null;
        if (saved != null && fingerprint.equals(saved.path("fingerprint").asText())) {
            LrRange range = new LrRange(saved.path("base_lr").asDouble(), saved.path("max_lr").asDouble(),
                    saved.path("one_cycle_max_lr").asDouble());
            var resolved = JobConfigLoader.withRange(file, range);
            console.line("auto-range: the range recorded in " + record + " (" + resolved.filled() + ")");
            return new Outcome(resolved.config(), event(cfg, saved, resolved.filled(), true));
        }
        if (saved != null) {
            console.line("auto-range: " + record + " was found for another model, optimizer, tricks, loss or batch"
                    + " size: sweeping again");
        }
        RangeTest.Result r = RangeTest.run(cfg, bootstrapServers, SWEEP, RangeReader.From.COMMITTED, 0, 60_000,
                (n, m) -> console.update(String.format(Locale.ROOT, "auto-range: range test %s %d/%d | lr %.3g"
                        + " | loss %.4f", ConsoleProgress.bar(n, SWEEP.steps()), n, SWEEP.steps(), m.lr(), m.loss()),
                        false));
        console.finish();
        RangeSuggestions s;
        try {
            s = RangeSuggestions.of(r.curve(), SWEEP.steps());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("schedule.auto-range: the range test gave no range (" + r.stopReason()
                    + "): " + e.getMessage());
        }
        LrRange range = new LrRange(s.clrBaseLr(), s.clrMaxLr(), s.oneCycleMaxLr());
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("base_lr", range.clrBaseLr());
        written.put("max_lr", range.clrMaxLr());
        written.put("one_cycle_max_lr", range.oneCycleMaxLr());
        written.put("sweep", describe(SWEEP));
        written.put("stop_reason", r.stopReason());
        written.put("suggestions", suggestions(s));
        written.put("started_at", r.startedAt());
        written.put("fingerprint", fingerprint);
        Files.createDirectories(record.getParent());
        Path temp = record.resolveSibling(RECORD + ".tmp"); // whole or absent: a crash never leaves half a record
        AtomicFiles.write(temp, Events.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(written));
        Files.move(temp, record, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        var resolved = JobConfigLoader.withRange(file, range);
        console.line("auto-range: " + r.stopReason() + "; filled " + resolved.filled() + " (recorded in " + record
                + ")");
        return new Outcome(resolved.config(), event(cfg, Events.mapper().valueToTree(written), resolved.filled(),
                false));
    }

    /**
     * What a range depends on: the model, the optimizer, the tricks, the loss and the minibatch size. A record made
     * for other settings is not reused.
     */
    static String fingerprint(JobConfig cfg) throws java.io.IOException {
        byte[] settings = Events.mapper().writeValueAsBytes(java.util.List.of(cfg.model(), cfg.optimizer(),
                cfg.tricks(), cfg.training().loss(), cfg.ingest().batchSize()));
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(settings));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    static Map<String, Double> suggestions(RangeSuggestions s) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("steepest", s.steepest());
        out.put("minimum_tenth", s.minimumTenth());
        out.put("valley", s.valley());
        out.put("loss_minimum", s.lossMinimum());
        return out;
    }

    private static String describe(RangeSweep sweep) {
        return String.format(Locale.ROOT, "%d updates, lr %.3g -> %.3g (%s)", sweep.steps(), sweep.start(),
                sweep.end(), sweep.mode());
    }

    private static LrRangeFound event(JobConfig cfg, JsonNode saved, Map<String, Double> filled, boolean reused) {
        Map<String, Double> suggestions = new LinkedHashMap<>();
        saved.path("suggestions").fields().forEachRemaining(e -> suggestions.put(e.getKey(), e.getValue().asDouble()));
        return new LrRangeFound(cfg.job(), saved.path("sweep").asText(), saved.path("stop_reason").asText(),
                suggestions, filled, reused, System.currentTimeMillis());
    }
}
