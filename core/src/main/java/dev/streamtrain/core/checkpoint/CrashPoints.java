package dev.streamtrain.core.checkpoint;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places where a crash is most harmful (between a checkpoint's files, half-way through pruning one, during
 * export), so fault tests can kill the process exactly there: with {@code -Dstreamtrain.crash-at=<name>:<n>} the
 * JVM halts (no shutdown hooks, as under {@code kill -9}) the n-th time the point is reached. Without the property
 * a point costs one map lookup. Not a user setting.
 */
public final class CrashPoints {
    /** Between two of a checkpoint's files, before it is published. */
    public static final String CHECKPOINT_FILES = "checkpoint-files";
    /** After a pruned checkpoint is renamed, before it is deleted. */
    public static final String PRUNE = "prune";
    /** After the ONNX model is written, before it is published. */
    public static final String EXPORT = "export";

    private static final String SPEC = System.getProperty("streamtrain.crash-at", "");
    private static final ConcurrentHashMap<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

    private CrashPoints() {
    }

    /** Marks that {@code name} was reached; halts with exit status 137 when the crash was asked for here. */
    public static void reached(String name) {
        if (SPEC.isEmpty() || !SPEC.startsWith(name + ":")) {
            return;
        }
        int n = REACHED.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        if (Integer.toString(n).equals(SPEC.substring(name.length() + 1))) {
            Runtime.getRuntime().halt(137);
        }
    }
}
