package dev.streamtrain.deploy;

import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.model.AtomicFiles;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The exported versions on disk: {@code <models>/<version>/} holds {@code model.onnx}, the model's {@code model.json}
 * and {@code version.json} ({@link Info}: where it came from, its metrics, its verification and what was decided).
 * Each version directory is published atomically; the oldest beyond {@code keep} are removed, never the serving one.
 * Blocking: call off the event loop.
 */
final class VersionStore {
    static final String ONNX_FILE = "model.onnx";
    static final String INFO_FILE = "version.json";

    /**
     * What is known of one version.
     *
     * @param version label ({@code v} and the update, nine digits)
     * @param updates updates it was trained for
     * @param checkpoint the checkpoint directory it was exported from
     * @param metric the promotion metric's name
     * @param value its value at the checkpoint (NaN: not measured)
     * @param rows verification rows it was run on
     * @param parityMaxAbsDiff largest |ONNX Runtime − float64 reference| on the verification rows
     * @param parityBound the bound it had to stay within ({@link Parity#judge})
     * @param status {@code candidate}, {@code promoted}, {@code rejected}, {@code failed} (verification) or
     *     {@code rolled_back} (served, then rolled back from)
     * @param reason why, in the product's words
     * @param createdMillis when it was exported
     * @param validation the checkpoint's validation metrics (null: none)
     * @param checkpointId the checkpoint's identity (its manifest's id; empty: none)
     */
    record Info(String version, long updates, String checkpoint, String metric, double value, int rows,
            double parityMaxAbsDiff, double parityBound, String status, String reason, long createdMillis,
            dev.streamtrain.core.events.ValidationMetrics validation, String checkpointId) {
        Info decided(String newStatus, String newReason) {
            return new Info(version, updates, checkpoint, metric, value, rows, parityMaxAbsDiff, parityBound,
                    newStatus, newReason, createdMillis, validation, checkpointId);
        }
    }

    private final Path dir;

    VersionStore(Path dir) {
        this.dir = dir;
    }

    /** The label of the version exported from a checkpoint at {@code updates}. */
    static String label(long updates) {
        return String.format("v%09d", updates);
    }

    /**
     * The label of a new version from the checkpoint {@code checkpointId} at {@code updates}: {@link #label}, unless
     * a version of that label from another checkpoint is on disk (training went back by a rollback and reached the
     * same update again): then the label with the checkpoint id's suffix, so no version is ever overwritten.
     */
    String labelFor(long updates, String checkpointId) throws IOException {
        String base = label(updates);
        Info there = checkpointId == null ? null : info(base);
        if (there == null) {
            return base;
        }
        String existing = there.checkpointId();
        return existing == null || existing.isEmpty() || existing.equals(checkpointId) ? base
                : base + "-" + checkpointId.substring(checkpointId.lastIndexOf('-') + 1);
    }

    /** One version's info, or null when it is not on disk. */
    Info info(String version) throws IOException {
        Path file = dir.resolve(version).resolve(INFO_FILE);
        return Files.exists(file) ? Events.mapper().readValue(file.toFile(), Info.class) : null;
    }

    /** Where a version's ONNX file is. */
    Path onnxPath(String version) {
        return dir.resolve(version).resolve(ONNX_FILE);
    }

    /** Publishes a version directory (replacing one of the same label) with the checkpoint's model.json. */
    void write(Info info, byte[] onnx, Path checkpoint) throws IOException {
        Path target = dir.resolve(info.version());
        Path temp = AtomicFiles.tempDirFor(target);
        AtomicFiles.write(temp.resolve(ONNX_FILE), onnx);
        dev.streamtrain.core.checkpoint.CrashPoints.reached(dev.streamtrain.core.checkpoint.CrashPoints.EXPORT);
        Files.copy(checkpoint.resolve(ModelSnapshotFiles.SPEC_FILE), temp.resolve(ModelSnapshotFiles.SPEC_FILE));
        AtomicFiles.write(temp.resolve(INFO_FILE), Events.mapper().writeValueAsBytes(info));
        AtomicFiles.publish(temp, target);
    }

    /** Records the decision about a version (its directory may have been pruned meanwhile: then nothing). */
    void update(Info info) throws IOException {
        Path target = dir.resolve(info.version());
        if (Files.isDirectory(target)) {
            AtomicFiles.write(target.resolve(INFO_FILE), Events.mapper().writeValueAsBytes(info));
        }
    }

    /** Every version on disk with its info, oldest first (unreadable ones left out). */
    List<Info> list() throws IOException {
        List<Info> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> versions = Files.list(dir)) {
            for (Path v : versions.filter(p -> p.getFileName().toString().matches("v\\d+(-[0-9a-f]+)?")).sorted()
                    .toList()) {
                try {
                    out.add(Events.mapper().readValue(v.resolve(INFO_FILE).toFile(), Info.class));
                } catch (IOException e) {
                    // an older export (no version.json) or a damaged one: not listed
                }
            }
        }
        out.sort(Comparator.comparingLong(Info::createdMillis));
        return out;
    }

    /**
     * Removes versions beyond {@code keep}: the oldest never promoted first (rejected, failed), then the oldest
     * promoted ones, so a serving rollback keeps a version to go back to; never {@code serving}.
     */
    void prune(int keep, String serving) throws IOException {
        List<Info> all = list();
        int excess = all.size() - keep;
        List<Info> order = new ArrayList<>(all.stream().filter(i -> !i.status().equals("promoted")).toList());
        order.addAll(all.stream().filter(i -> i.status().equals("promoted")).toList());
        for (Info info : order) {
            if (excess <= 0) {
                return;
            }
            if (!info.version().equals(serving)) {
                AtomicFiles.deleteTree(dir.resolve(info.version()));
                excess--;
            }
        }
    }

    /** The versions as {@code GET /v1/model} lists them, oldest first, saying which one serves. */
    static io.vertx.core.json.JsonArray describe(List<Info> versions, ServedModel serving) {
        io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
        for (Info i : versions) {
            out.add(new io.vertx.core.json.JsonObject().put("version", i.version()).put("updates", i.updates())
                    .put("checkpoint_id", i.checkpointId())
                    .put("status", i.status()).put("reason", i.reason()).put("metric", i.metric())
                    .put("value", Double.isNaN(i.value()) ? null : i.value())
                    .put("parity_max_abs_diff", i.parityMaxAbsDiff()).put("parity_bound", i.parityBound())
                    .put("serving", serving != null && serving.version().equals(i.version())));
        }
        return out;
    }
}
