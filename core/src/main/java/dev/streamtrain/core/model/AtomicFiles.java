package dev.streamtrain.core.model;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Durable writes: a file is fsynced before it counts as written, and a directory appears under its final name only
 * once everything in it is durable (write to a temp directory, fsync, rename). A crash leaves either the old state
 * or the new one, never half of each.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes and fsyncs a file. */
    public static void write(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
    }

    /** A fresh temp directory beside {@code target}, for {@link #publish}. */
    public static Path tempDirFor(Path target) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        return Files.createTempDirectory(target.toAbsolutePath().getParent(), "." + target.getFileName() + TEMP_MARK);
    }

    /** Renames a fully written temp directory to its final name, replacing an older one, and fsyncs the parent. */
    public static void publish(Path temp, Path target) throws IOException {
        if (Files.exists(target)) {
            deleteTree(target);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target);
        }
        try (FileChannel parent = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            parent.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename itself is still atomic
        }
    }

    /** Name prefix of a directory being deleted by {@link #discard}: never read as data, removed on the next start. */
    public static final String DISCARDED_PREFIX = ".discarded-";
    /** In the name of a {@link #tempDirFor} directory, after the hidden target's name. */
    private static final String TEMP_MARK = ".tmp-";

    /**
     * Deletes a directory tree so that a crash half-way leaves nothing that looks valid: it is first renamed
     * (atomically) to a hidden {@link #DISCARDED_PREFIX} sibling, then deleted. No-op when absent.
     */
    public static void discard(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Path hidden = dir.resolveSibling(DISCARDED_PREFIX + dir.getFileName() + "-" + System.nanoTime());
        Files.move(dir, hidden, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        dev.streamtrain.core.checkpoint.CrashPoints.reached(dev.streamtrain.core.checkpoint.CrashPoints.PRUNE);
        deleteTree(hidden);
    }

    /**
     * Deletes what a crash left under {@code root}: directories of an earlier {@link #discard} (renamed, half deleted)
     * and temp directories of {@link #tempDirFor} never published (a write cut short). One listing for both.
     */
    public static void deleteLeftovers(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> list = Files.list(root)) {
            for (Path p : list.filter(p -> isLeftover(p.getFileName().toString())).toList()) {
                deleteTree(p);
            }
        }
    }

    private static boolean isLeftover(String name) {
        return name.startsWith(DISCARDED_PREFIX) || name.startsWith(".") && name.contains(TEMP_MARK);
    }

    /** Deletes a directory tree (no-op when absent). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
