package dev.streamtrain.core.model;

import dev.streamtrain.core.wire.DType;
import dev.streamtrain.core.wire.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running per-feature statistics of the training stream and the {@code shift} and {@code scale} they give the
 * model's input normalization ({@link Normalization}). Updated from each training minibatch, never from evaluation
 * rows (the statistics are frozen for evaluation and serving); kept in float64 so a stream of billions of examples
 * neither loses count nor drifts by rounding. Not thread-safe: the trainer thread owns it.
 *
 * <p>Cumulative standard statistics combine each minibatch's mean and population variance with the running ones
 * by Chan, Golub and LeVeque's pairwise update (1979), the form scikit-learn's {@code StandardScaler.partial_fit}
 * uses. With a momentum {@code m} they are those of a mixture that weighs the running distribution {@code 1 - m}
 * and the minibatch {@code m}: {@code mean += m * d} and {@code var = (1 - m) * var + m * batchVar
 * + m * (1 - m) * d^2} with {@code d = batchMean - mean} (an exponentially weighted variance, which stays right for
 * minibatches of one row and for minibatches whose means differ); the first minibatch sets them outright. Minmax
 * keeps the running minimum and maximum (a momentum is refused for it: one-row minibatches would collapse the
 * range).
 *
 * <p>A minibatch holding a non-finite feature value is left out of the statistics: one NaN would otherwise poison
 * them for the rest of the run. For the same reason, so is a minibatch holding a value a thousand times its
 * feature's largest magnitude so far (a corrupted record: {@link #farBeyondSeen}); the model still trains on it,
 * under the trainer's own guards.
 */
public final class FeatureStatistics {
    /**
     * At or below this spread relative to the feature's own magnitude a feature counts as constant (float32
     * resolution; relative, as scikit-learn's {@code _is_constant_feature}, so a feature in units of 1e-9 is not).
     */
    private static final double CONSTANT = 1e-7;
    /** How many times its feature's largest magnitude so far a value may be before its minibatch is left out. */
    static final double MAGNITUDE = 1e3;
    /**
     * A spread below this counts as none, whatever the feature's magnitude: no unit a feature is measured in is that
     * small, while a zero with a flipped bit is a denormal near 1e-38 whose inverse would overflow float32.
     */
    static final double SMALLEST_SPREAD = 1e-30;
    /** Minibatches in a row left out as corrupted before the stream is taken to have moved. */
    static final int PATIENCE = 8;
    private final Normalization normalization;
    private final boolean standard; // else minmax
    private final int features;
    private double count;
    private final double[] first;
    private final double[] second;
    /** The smallest and largest value taken per feature (minmax: the same arrays as first and second). */
    private final double[] low;
    private final double[] high;
    private int refusedInARow; // not checkpointed: a restart judges afresh

    /**
     * @param normalization an enabled kind
     * @param features inputs per example
     */
    public FeatureStatistics(Normalization normalization, int features) {
        if (!normalization.enabled()) {
            throw new IllegalArgumentException("no statistics for normalize: none");
        }
        this.normalization = normalization;
        this.features = features;
        this.first = new double[features];
        this.second = new double[features];
        this.standard = normalization.kind().equals("standard");
        this.low = standard ? new double[features] : first;
        this.high = standard ? new double[features] : second;
    }

    /** Training examples seen so far. */
    public double count() {
        return count;
    }

    /**
     * Folds {@code rows} row-major examples of {@code x} into the statistics.
     *
     * @return false when the minibatch was left out (no rows, a non-finite value, or one far beyond the stream's)
     */
    public boolean observe(float[] x, int rows) {
        if (rows < 1) {
            return false;
        }
        for (int i = 0; i < rows * features; i++) {
            if (!Float.isFinite(x[i])) {
                return false;
            }
        }
        if (farBeyondSeen(x, rows)) {
            return false;
        }
        double[] a = new double[features];
        double[] b = new double[features];
        for (int f = 0; f < features; f++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                double v = x[r * features + f];
                sum += v;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (standard) {
                double mean = sum / rows;
                double squares = 0;
                for (int r = 0; r < rows; r++) {
                    double d = x[r * features + f] - mean;
                    squares += d * d;
                }
                a[f] = mean;
                b[f] = squares / rows;
                low[f] = count == 0 ? lo : Math.min(low[f], lo);
                high[f] = count == 0 ? hi : Math.max(high[f], hi);
            } else {
                a[f] = lo;
                b[f] = hi;
            }
        }
        fold(a, b, rows);
        return true;
    }

    /**
     * True when a value of the minibatch is more than {@link #MAGNITUDE} times the largest magnitude its feature has
     * taken (from the second minibatch on): a corrupted record (a flipped exponent bit, a 1e30) rather than the
     * stream. One such value among raw units would otherwise set the variance or the range for the rest of a
     * cumulative run, and every later row would reach the model as 0. A feature that was 0 so far has no magnitude
     * to judge by; a sparse feature's rare values, many standard deviations out, are far inside the limit. When
     * {@link #PATIENCE} minibatches in a row are that far, the stream itself has moved and they are taken.
     */
    private boolean farBeyondSeen(float[] x, int rows) {
        if (count == 0) {
            return false;
        }
        for (int f = 0; f < features; f++) {
            double limit = MAGNITUDE * Math.max(Math.abs(low[f]), Math.abs(high[f]));
            for (int r = 0; limit > 0 && r < rows; r++) {
                if (Math.abs(x[r * features + f]) > limit) {
                    if (++refusedInARow < PATIENCE) {
                        return true;
                    }
                    refusedInARow = 0; // the PATIENCE-th in a row is taken: the stream has moved
                    return false;
                }
            }
        }
        refusedInARow = 0;
        return false;
    }

    private void fold(double[] a, double[] b, int rows) {
        Double m = normalization.momentum();
        double n = count + rows;
        for (int f = 0; f < features; f++) {
            if (count == 0) {
                first[f] = a[f];
                second[f] = b[f];
            } else if (m != null) { // standard only (Normalization refuses minmax with a momentum)
                double delta = a[f] - first[f];
                first[f] += m * delta;
                second[f] = (1 - m) * second[f] + m * b[f] + m * (1 - m) * delta * delta;
            } else if (standard) {
                double delta = a[f] - first[f];
                double m2 = second[f] * count + b[f] * rows + delta * delta * count * rows / n;
                first[f] += delta * rows / n;
                second[f] = m2 / n;
            } else {
                first[f] = Math.min(first[f], a[f]);
                second[f] = Math.max(second[f], b[f]);
            }
        }
        count = n;
    }

    /** Forgets every example: the statistics of a new model. */
    public void reset() {
        count = 0;
        Arrays.fill(first, 0);
        Arrays.fill(second, 0);
        Arrays.fill(low, 0);
        Arrays.fill(high, 0);
        refusedInARow = 0;
    }

    /** What the model subtracts from each feature: the mean or the minimum (0 before any example). */
    public float[] shift() {
        float[] out = new float[features];
        for (int f = 0; f < features; f++) {
            out[f] = (float) first[f];
        }
        return out;
    }

    /** What the model multiplies each shifted feature by: 1 / spread, 1 for a constant feature or before any example. */
    public float[] scale() {
        float[] out = new float[features];
        for (int f = 0; f < features; f++) {
            double spread = standard ? Math.sqrt(second[f]) : second[f] - first[f];
            double magnitude = standard ? Math.abs(first[f]) : Math.max(Math.abs(first[f]), Math.abs(second[f]));
            boolean constant = count == 0 || spread < SMALLEST_SPREAD || spread <= CONSTANT * magnitude;
            out[f] = constant ? 1f : (float) (1 / spread);
        }
        return out;
    }

    /** The statistics as float64 tensors named as {@link Normalization} documents, for checkpoints. */
    public Map<String, Tensor> toTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(Normalization.COUNT, doubles(new double[] {count}));
        var names = normalization.statisticNames();
        out.put(names.get(0), doubles(first));
        out.put(names.get(1), doubles(second));
        if (names.size() == 4) {
            out.put(names.get(2), doubles(low));
            out.put(names.get(3), doubles(high));
        }
        return out;
    }

    /**
     * Takes the statistics from a checkpoint's tensors (as {@link #toTensors} wrote them).
     *
     * @throws IllegalArgumentException when one is missing or has another width
     */
    public void restore(Map<String, Tensor> tensors) {
        var names = normalization.statisticNames();
        double[] c = doubles(tensors, Normalization.COUNT, 1);
        double[] a = doubles(tensors, names.get(0), features);
        double[] b = doubles(tensors, names.get(1), features);
        double[] lo = names.size() == 4 ? doubles(tensors, names.get(2), features) : a;
        double[] hi = names.size() == 4 ? doubles(tensors, names.get(3), features) : b;
        count = c[0];
        System.arraycopy(a, 0, first, 0, features);
        System.arraycopy(b, 0, second, 0, features);
        System.arraycopy(lo, 0, low, 0, features); // minmax: the same arrays, copied onto themselves
        System.arraycopy(hi, 0, high, 0, features);
        refusedInARow = 0;
    }

    private static double[] doubles(Map<String, Tensor> tensors, String name, int length) {
        Tensor t = tensors.get(name);
        if (t == null || t.size() != length) {
            throw new IllegalArgumentException("the checkpoint's input statistics lack " + name + " of " + length
                    + " values");
        }
        return t.toDoubles();
    }

    private static Tensor doubles(double[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asDoubleBuffer().put(values);
        return new Tensor(DType.F64, new long[] {values.length}, buf.array());
    }

    @Override
    public String toString() {
        return normalization.kind() + " statistics of " + (long) count + " examples: " + Arrays.toString(shift())
                + " / " + Arrays.toString(scale());
    }
}
