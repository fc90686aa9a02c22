package dev.streamtrain.deploy;

/**
 * Whether an engine computes what a model's weights mean: its float32 outputs against a double-precision reference
 * forward pass of the same weights ({@link dev.streamtrain.core.model.ReferenceForward}), on the same rows.
 *
 * <p>The bound tells rounding from error. A float32 engine differs from the exact result by rounding alone, and by
 * more the larger the inputs and weights: a healthy regression on raw-unit features differs by 1.1e-5 between
 * float32 and float64, so a fixed 1e-5 refused it. The rounding on these rows is measured by the reference itself,
 * run with every intermediate rounded to float32; the bound is {@link #TOLERANCE} or {@link #SPREAD_FACTOR} times
 * that spread, whichever is larger. Measured on such a regression (features in the thousands): ONNX Runtime differs
 * from float64 by 0.75 of the emulated spread, and one weight off by 1 % by 17 times it. A wrong export (a weight
 * misplaced, a layer left out) differs by about the outputs' own size and fails.
 */
public final class Parity {
    /** The bound's floor: the largest |difference| always put down to rounding. */
    public static final double TOLERANCE = 1e-5;
    /** How many times the reference's own float32 rounding an engine may differ by. */
    public static final double SPREAD_FACTOR = 4;

    private Parity() {
    }

    /** The largest |difference| an engine may show against {@code exact}, given the float32 reference's. */
    public static double bound(double[] exact, double[] float32) {
        double spread = maxAbsDiff(exact, float32);
        return Double.isFinite(spread) ? Math.max(TOLERANCE, SPREAD_FACTOR * spread) : TOLERANCE;
    }

    /** Largest absolute element-wise difference; infinite when lengths differ or a value is not finite. */
    public static double maxAbsDiff(float[] a, float[] b) {
        double[] wide = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            wide[i] = b[i];
        }
        return maxAbsDiff(a, wide);
    }

    /** The same against double-precision values. */
    public static double maxAbsDiff(float[] a, double[] b) {
        double[] wide = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            wide[i] = a[i];
        }
        return maxAbsDiff(wide, b);
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (!(d <= max)) {
                max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }
}
