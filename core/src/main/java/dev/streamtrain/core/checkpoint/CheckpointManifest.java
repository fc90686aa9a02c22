package dev.streamtrain.core.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.PartitionOffset;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A checkpoint's {@value #FILE}: written last into the checkpoint's directory before it is published, so a
 * published checkpoint whose files do not match it was damaged afterwards (a disk fault, a hand edit, a copy cut
 * short) and is not resumed from.
 *
 * @param format manifest format version ({@value #FORMAT})
 * @param id this checkpoint's identity in the lineage ({@code <update>-<hex>}: a checkpoint rewritten at the same
 *     update, after a rollback or a restart, is another one)
 * @param job job name
 * @param update optimizer updates the weights include
 * @param samples examples trained
 * @param parent the id of the checkpoint this one continues from (null: a new model)
 * @param createdMillis wall-clock time of writing, epoch milliseconds
 * @param good whether it was saved as good (weights finite, no critical alert open)
 * @param offsets commit offsets per partition
 * @param handledAbove records above the commit offsets already handled
 * @param trained records trained since the parent checkpoint (merged inclusive ranges)
 * @param notTrained records handled without training since the parent (dead-lettered, skipped, quarantined)
 * @param validation the last validation metrics (null before the first)
 * @param files every other file of the checkpoint by name: {@code sha256:<hex>}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointManifest(int format, String id, String job, long update, long samples, String parent,
        long createdMillis,
        boolean good, List<PartitionOffset> offsets, List<OffsetRange> handledAbove, List<OffsetRange> trained,
        List<OffsetRange> notTrained, ValidationMetrics validation, Map<String, String> files) {
    /** The file name inside a checkpoint directory. */
    public static final String FILE = "manifest.json";
    /** Written into a checkpoint found suspect after it was saved (not listed in its manifest). */
    public static final String SUSPECT_FILE = "SUSPECT";
    /** The format this version writes and reads. */
    public static final int FORMAT = 1;

    public CheckpointManifest {
        offsets = List.copyOf(offsets);
        handledAbove = handledAbove == null ? List.of() : List.copyOf(handledAbove);
        trained = trained == null ? List.of() : List.copyOf(trained);
        notTrained = notTrained == null ? List.of() : List.copyOf(notTrained);
        files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files)); // by name
    }

    /** The same manifest listing the checksums of every file now in {@code dir} (but the manifest). */
    public CheckpointManifest withFilesOf(Path dir) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path f : list.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (!name.equals(FILE)) {
                    sums.put(name, sha256(f));
                }
            }
        }
        return new CheckpointManifest(format, id, job, update, samples, parent, createdMillis, good, offsets,
                handledAbove, trained, notTrained, validation, sums);
    }

    /** The same manifest without the file checksums (for the lineage log). */
    public CheckpointManifest withoutFiles() {
        return new CheckpointManifest(format, id, job, update, samples, parent, createdMillis, good, offsets,
                handledAbove, trained, notTrained, validation, Map.of());
    }

    /** A new checkpoint identity for {@code update}. */
    public static String newId(long update) {
        return update + "-" + Long.toHexString(System.nanoTime() ^ java.util.concurrent.ThreadLocalRandom.current()
                .nextLong() & 0xffffffffffL);
    }

    /** The id in a checkpoint's manifest, or null when it has none (or it cannot be read). */
    public static String idOf(Path dir) {
        try {
            CheckpointManifest m = read(dir);
            return m == null ? null : m.id();
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes (and fsyncs) the manifest into {@code dir}. */
    public void writeTo(Path dir) throws IOException {
        AtomicFiles.write(dir.resolve(FILE), Events.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    /** The manifest of a checkpoint directory, or null when it has none (written before manifests existed). */
    public static CheckpointManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        return Files.exists(file) ? Events.mapper().readValue(file.toFile(), CheckpointManifest.class) : null;
    }

    /**
     * What is wrong with a checkpoint directory against its manifest: files missing or changed, an unreadable
     * manifest, a newer format. Empty when it is intact or has no manifest (older checkpoints are trusted as before).
     */
    public static List<String> problems(Path dir) {
        return check(dir).problems();
    }

    /**
     * A checkpoint directory checked against its manifest.
     *
     * @param manifest the manifest (null when it has none, or it cannot be read)
     * @param problems what is wrong (see {@link #problems}); empty when intact
     */
    public record Checked(CheckpointManifest manifest, List<String> problems) {
    }

    /** Reads a checkpoint's manifest once and checks its files against it (see {@link #problems}). */
    public static Checked check(Path dir) {
        List<String> out = new ArrayList<>();
        CheckpointManifest m;
        try {
            m = read(dir);
        } catch (IOException e) {
            return new Checked(null, List.of("its " + FILE + " cannot be read"));
        }
        if (m == null) {
            return new Checked(null, out);
        }
        if (m.format() > FORMAT) {
            out.add("it was written in checkpoint format " + m.format() + "; this version reads format " + FORMAT);
        }
        m.files().forEach((name, sum) -> {
            Path f = dir.resolve(name);
            try {
                if (!Files.isRegularFile(f)) {
                    out.add(name + " is missing");
                } else if (!sha256(f).equals(sum)) {
                    out.add(name + " does not match its checksum");
                }
            } catch (IOException e) {
                out.add(name + " cannot be read");
            }
        });
        return new Checked(m, out);
    }

    /** {@code sha256:<hex>} of a file's bytes. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        // one buffer per file of every checkpoint: at 64 KB they were most of the checkpoint writer's garbage
        byte[] buffer = new byte[8192];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }
}
