package dev.streamtrain.core.batch;

import java.util.List;

/**
 * An engine-neutral minibatch, with the Kafka records it came from: class ids for classification, or float targets
 * ({@code targetWidth} per row) for regression and soft/binary targets.
 *
 * @param rows number of examples
 * @param features features per example
 * @param x row-major features, {@code rows * features} values
 * @param y class ids, {@code rows} values (empty when the batch carries float targets)
 * @param sources the Kafka records the rows came from (empty for in-memory data)
 * @param targets row-major float targets, or null for class ids
 * @param targetWidth targets per row (0 with class ids)
 * @param producedAtMillis when the oldest of its records was produced (epoch ms: the {@value #PRODUCED_AT} header,
 *     else the record's timestamp), or -1 when unknown (in-memory data)
 */
public record MiniBatch(int rows, int features, float[] x, long[] y, List<OffsetRange> sources, float[] targets,
        int targetWidth, long producedAtMillis) implements BatchQueueItem {
    /** The record header a producer may stamp with the send time (epoch milliseconds, decimal ASCII). */
    public static final String PRODUCED_AT = "st-produced-at";

    public MiniBatch {
        if (rows <= 0 || features <= 0) {
            throw new IllegalArgumentException("a minibatch needs rows > 0 and features > 0, got " + rows + "x" + features);
        }
        if (x.length != (long) rows * features) {
            throw new IllegalArgumentException("x holds " + x.length + " values, expected " + rows + "*" + features);
        }
        if (targets == null && y.length != rows) {
            throw new IllegalArgumentException("y holds " + y.length + " labels, expected " + rows);
        }
        if (targets != null && (targetWidth < 1 || targets.length != (long) rows * targetWidth || y.length != 0)) {
            throw new IllegalArgumentException("targets hold " + targets.length + " values, expected " + rows + "*"
                    + targetWidth + " (and no class ids)");
        }
        sources = List.copyOf(sources);
    }

    /** A minibatch of class ids or float targets, produced at an unknown time. */
    public MiniBatch(int rows, int features, float[] x, long[] y, List<OffsetRange> sources, float[] targets,
            int targetWidth) {
        this(rows, features, x, y, sources, targets, targetWidth, -1);
    }

    /** A minibatch of class ids. */
    public MiniBatch(int rows, int features, float[] x, long[] y, List<OffsetRange> sources) {
        this(rows, features, x, y, sources, null, 0);
    }

    /** The same minibatch (arrays shared), produced at {@code millis}. */
    public MiniBatch producedAt(long millis) {
        return new MiniBatch(rows, features, x, y, sources, targets, targetWidth, millis);
    }

    /** The earliest known production time of {@code batches}, or -1 when none is known. */
    public static long earliestProducedAt(List<MiniBatch> batches) {
        long earliest = Long.MAX_VALUE;
        for (MiniBatch b : batches) {
            if (b.producedAtMillis >= 0) {
                earliest = Math.min(earliest, b.producedAtMillis);
            }
        }
        return earliest == Long.MAX_VALUE ? -1 : earliest;
    }

    /** Whether {@code other} can be joined with this one ({@link #concat}): the same features and kind of labels. */
    public boolean sameShape(MiniBatch other) {
        return features == other.features && hasTargets() == other.hasTargets() && targetWidth == other.targetWidth;
    }

    /**
     * The rows of {@code batches} as one minibatch, in order (sources joined, production time the earliest known).
     *
     * @throws IllegalArgumentException when the list is empty or the minibatches differ in features or in kind
     *     (class ids, or float targets of one width)
     */
    public static MiniBatch concat(List<MiniBatch> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("no minibatch to join");
        }
        MiniBatch first = batches.get(0);
        if (batches.size() == 1) {
            return first;
        }
        int rows = 0;
        for (MiniBatch b : batches) {
            if (!b.sameShape(first)) {
                throw new IllegalArgumentException("minibatches of different shapes cannot be joined");
            }
            rows = Math.addExact(rows, b.rows);
        }
        float[] x = new float[Math.multiplyExact(rows, first.features)];
        long[] y = new long[first.hasTargets() ? 0 : rows];
        float[] targets = first.hasTargets() ? new float[Math.multiplyExact(rows, first.targetWidth)] : null;
        List<OffsetRange> sources = new java.util.ArrayList<>();
        int at = 0;
        for (MiniBatch b : batches) {
            System.arraycopy(b.x, 0, x, at * first.features, b.x.length);
            if (targets != null) {
                System.arraycopy(b.targets, 0, targets, at * first.targetWidth, b.targets.length);
            } else {
                System.arraycopy(b.y, 0, y, at, b.rows);
            }
            sources.addAll(b.sources);
            at += b.rows;
        }
        return new MiniBatch(rows, first.features, x, y, sources, targets, first.targetWidth,
                earliestProducedAt(batches));
    }

    /** A minibatch of float targets. */
    public static MiniBatch withTargets(int rows, int features, float[] x, float[] targets, int targetWidth,
            List<OffsetRange> sources) {
        return new MiniBatch(rows, features, x, new long[0], sources, targets, targetWidth);
    }

    @Override
    public long sizeInBytes() {
        return 64 + 4L * x.length + 8L * y.length + (targets == null ? 0 : 4L * targets.length);
    }

    /** True when the batch carries float targets rather than class ids. */
    public boolean hasTargets() {
        return targets != null;
    }
}
