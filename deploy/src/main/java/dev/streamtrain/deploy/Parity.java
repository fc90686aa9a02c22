package dev.streamtrain.deploy;

/** Agreement between two engines' probabilities for the same rows. */
public final class Parity {
    /** The largest |difference| an export may show against the trainer (issue contract). */
    public static final double TOLERANCE = 1e-5;

    private Parity() {
    }

    /** Largest absolute element-wise difference; infinite when lengths differ or a value is not finite. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= max)) {
                max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }
}
