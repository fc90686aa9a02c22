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
