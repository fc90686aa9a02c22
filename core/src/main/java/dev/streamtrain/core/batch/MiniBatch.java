package dev.streamtrain.core.batch;

import java.util.List;

/**
 * An engine-neutral minibatch of classification examples, with the Kafka records it came from.
 *
 * @param rows number of examples
 * @param features features per example
 * @param x row-major features, {@code rows * features} values
 * @param y class ids, {@code rows} values
 * @param sources the Kafka records the rows came from (empty for in-memory data)
 */
public record MiniBatch(int rows, int features, float[] x, long[] y, List<OffsetRange> sources) implements BatchQueueItem {
    public MiniBatch {
        if (rows <= 0 || features <= 0) {
            throw new IllegalArgumentException("a minibatch needs rows > 0 and features > 0, got " + rows + "x" + features);
        }
        if (x.length != (long) rows * features) {
            throw new IllegalArgumentException("x holds " + x.length + " values, expected " + rows + "*" + features);
        }
        if (y.length != rows) {
            throw new IllegalArgumentException("y holds " + y.length + " labels, expected " + rows);
        }
        sources = List.copyOf(sources);
    }
}
