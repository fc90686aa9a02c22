package dev.streamtrain.core.checkpoint;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.events.Events;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lineage log, {@value #FILE} beside the checkpoints: one manifest per line, appended (and fsynced) before each
 * checkpoint is published, kept when old checkpoints are pruned. Following {@code parent} from a checkpoint back to
 * the first one gives every record its weights were trained on, across crashes, restarts and rollbacks (a rolled-back
 * future is left behind: nothing descends from it). {@link #audit} checks that each was trained once.
 */
public final class Lineage {
    /** The file name inside {@code checkpoint.dir}. */
    public static final String FILE = "lineage.jsonl";

    private Lineage() {
    }

    /** Appends a manifest to the log in {@code root}. */
    public static void append(Path root, CheckpointManifest manifest) throws IOException {
        byte[] line = (Events.mapper().writeValueAsString(manifest.withoutFiles()) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(root.resolve(FILE), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.position(ch.size());
            if (ch.size() > 0) { // a line a full disk or a kill cut short must not swallow this one
                var lastByte = java.nio.ByteBuffer.allocate(1);
                ch.read(lastByte, ch.size() - 1);
                if (lastByte.get(0) != '\n') {
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}));
                }
            }
            var buffer = java.nio.ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
    }

    /**
     * The chain of manifests from the first checkpoint to the one with id {@code id} (oldest first). A line cut short
     * by a crash is ignored.
     *
     * @throws IOException when the log cannot be read, or the chain is broken (a parent never logged)
     */
    public static List<CheckpointManifest> chain(Path root, String id) throws IOException {
        Map<String, CheckpointManifest> byId = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(root.resolve(FILE), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("the lineage log " + root.resolve(FILE) + " cannot be read", e);
        }
        for (String line : lines) {
            try {
                CheckpointManifest m = Events.mapper().readValue(line, CheckpointManifest.class);
                byId.put(m.id(), m);
            } catch (IOException e) {
                // the last line of a log whose writer was killed mid-write
            }
        }
        List<CheckpointManifest> chain = new ArrayList<>();
        for (String at = id; at != null; ) {
            CheckpointManifest m = byId.remove(at); // removed: a cycle cannot loop
            if (m == null) {
                throw new IOException("the lineage log has no checkpoint " + at);
            }
            chain.add(0, m);
            at = m.parent();
        }
        return chain;
    }

    /**
     * The records handled without training (dead-lettered, skipped) that the checkpoints after {@code ancestor} up to
     * {@code descendant} name: what a rollback from {@code descendant}'s line back to {@code ancestor} must keep as
     * handled. Empty when {@code descendant} is {@code ancestor}, or either is unknown (no manifest).
     */
    public static List<OffsetRange> notTrainedAfter(Path root, String ancestor, String descendant) throws IOException {
        List<OffsetRange> out = new ArrayList<>();
        if (ancestor == null || descendant == null || ancestor.equals(descendant)
                || !Files.exists(root.resolve(FILE))) {
            return out;
        }
        boolean after = false; // what came before the ancestor stays in its own lineage
        for (CheckpointManifest m : chain(root, descendant)) {
            if (after) {
                out.addAll(m.notTrained());
            }
            after |= m.id().equals(ancestor);
        }
        return out;
    }

    /** The chain up to a checkpoint directory (see {@link #chain(Path, String)}). */
    public static List<CheckpointManifest> chainTo(Path checkpoint) throws IOException {
        String id = CheckpointManifest.idOf(checkpoint);
        if (id == null) {
            throw new IOException(checkpoint + " has no readable manifest");
        }
        return chain(checkpoint.toAbsolutePath().getParent(), id);
    }

    /**
     * The exactly-once audit of a chain per partition: records trained, trained more than once, handled without
     * training, and offsets between the first and last handled that were neither (gaps).
     *
     * @param partition "topic-partition"
     * @param trained records trained
     * @param duplicates records trained more than once
     * @param notTrained records dead-lettered, skipped or quarantined
     * @param gaps offsets never handled between the lowest and the highest handled one
     */
    public record Audit(String partition, long trained, long duplicates, long notTrained, List<OffsetRange> gaps) {
    }

    /** Audits a chain (see {@link #chain}). */
    public static List<Audit> audit(List<CheckpointManifest> chain) {
        Map<String, java.util.BitSet> trained = new java.util.TreeMap<>();
        Map<String, java.util.BitSet> handled = new HashMap<>();
        Map<String, long[]> counts = new HashMap<>(); // trained, duplicates, not trained
        Map<String, OffsetRange> names = new HashMap<>();
        Map<String, Long> lowest = new HashMap<>(); // bits count from each partition's lowest offset
        for (CheckpointManifest m : chain) {
            for (OffsetRange r : m.trained()) {
                lowest.merge(r.topic() + "-" + r.partition(), r.from(), Math::min);
            }
            for (OffsetRange r : m.notTrained()) {
                lowest.merge(r.topic() + "-" + r.partition(), r.from(), Math::min);
            }
        }
        for (CheckpointManifest m : chain) {
            for (int kind = 0; kind < 2; kind++) {
                for (OffsetRange r : kind == 0 ? m.trained() : m.notTrained()) {
                    String key = r.topic() + "-" + r.partition();
                    names.putIfAbsent(key, r);
                    var t = trained.computeIfAbsent(key, k -> new java.util.BitSet());
                    var h = handled.computeIfAbsent(key, k -> new java.util.BitSet());
                    long[] c = counts.computeIfAbsent(key, k -> new long[3]);
                    for (long o = r.from(); o <= r.to(); o++) {
                        int bit = Math.toIntExact(o - lowest.get(key));
                        if (kind == 0 && t.get(bit)) {
                            c[1]++;
                        }
                        if (kind == 0) {
                            t.set(bit);
                            c[0]++;
                        } else {
                            c[2]++;
                        }
                        h.set(bit);
                    }
                }
            }
        }
        List<Audit> out = new ArrayList<>();
        trained.keySet().forEach(key -> {
            var h = handled.get(key);
            List<OffsetRange> gaps = new ArrayList<>();
            for (int from = h.nextClearBit(h.nextSetBit(0)); from < h.length(); from = h.nextClearBit(
                    h.nextSetBit(from))) {
                gaps.add(new OffsetRange(names.get(key).topic(), names.get(key).partition(), from + lowest.get(key),
                        h.nextSetBit(from) - 1 + lowest.get(key)));
            }
            long[] c = counts.get(key);
            out.add(new Audit(key, c[0] - c[1], c[1], c[2], gaps));
        });
        return out;
    }
}
