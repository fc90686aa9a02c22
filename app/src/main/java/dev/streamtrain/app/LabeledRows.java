package dev.streamtrain.app;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * An in-memory table of classification examples (features and class ids), as read from a CSV file.
 *
 * @param features features per row
 * @param x one float array per row
 * @param y class id per row
 */
public record LabeledRows(int features, List<float[]> x, List<Long> y) {
    public LabeledRows {
        x = List.copyOf(x);
        y = List.copyOf(y);
        if (x.size() != y.size()) {
            throw new IllegalArgumentException(x.size() + " feature rows but " + y.size() + " labels");
        }
    }

    public int size() {
        return x.size();
    }

    /** Rows in a seeded random order. */
    public LabeledRows shuffled(Random rnd) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, rnd);
        return select(order);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
    public LabeledRows slice(int from, int to) {
        return new LabeledRows(features, x.subList(from, to), y.subList(from, to));
    }

    private LabeledRows select(List<Integer> indices) {
        List<float[]> xs = new ArrayList<>();
        List<Long> ys = new ArrayList<>();
        for (int i : indices) {
            xs.add(x.get(i));
            ys.add(y.get(i));
        }
        return new LabeledRows(features, xs, ys);
    }

    /** Splits after a seeded shuffle: the first part holds {@code fraction} of the rows. */
    public LabeledRows[] split(double fraction, long seed) {
        LabeledRows all = shuffled(new Random(seed));
        int cut = (int) Math.round(all.size() * fraction);
        return new LabeledRows[] {all.slice(0, cut), all.slice(cut, all.size())};
    }

    /** Row-major features of rows {@code from..to-1}. */
    public float[] flatFeatures(int from, int to) {
        float[] out = new float[(to - from) * features];
        for (int r = from; r < to; r++) {
            System.arraycopy(x.get(r), 0, out, (r - from) * features, features);
        }
        return out;
    }

    /** Labels of rows {@code from..to-1}. */
    public long[] labels(int from, int to) {
        long[] out = new long[to - from];
        for (int r = from; r < to; r++) {
            out[r - from] = y.get(r);
        }
        return out;
    }
}
