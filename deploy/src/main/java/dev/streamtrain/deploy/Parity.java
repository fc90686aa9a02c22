package dev.streamtrain.deploy;

import dev.streamtrain.core.model.ReferenceForward;

/**
 * Whether an engine computes what a model's weights mean: its float32 outputs against a double-precision reference
 * forward pass of the same weights ({@link ReferenceForward#withRoundingBound}), output by output.
 *
 * <p>The bound tells rounding from error. A float32 engine differs from the exact result by rounding alone, and by
 * more the larger a row's inputs and weights: a healthy regression on raw-unit features differs by 1.1e-5 between
 * float32 and float64, so a fixed 1e-5 refused it. Each output is held to {@link #TOLERANCE} or the worst-case
 * float32 rounding of that output, whichever is larger, computed by the reference from the row's own magnitudes: one
 * row of large values does not loosen the check of the others. A wrong export (a weight misplaced or off by a
 * fraction of a percent, a layer left out) exceeds it. Rows whose exact outputs or bounds are not finite (values
 * that overflow float32 inside the model) cannot be judged and are left out; if none is left, the verdict fails.
 */
public final class Parity {
    /** The bound's floor: the largest |difference| always put down to rounding. */
    public static final double TOLERANCE = 1e-5;

    private Parity() {
    }

    /**
     * The verdict on an engine's outputs.
     *
     * @param maxAbsDiff largest |engine − exact| over the outputs judged
     * @param bound the bound of the output closest to (or furthest past) its bound
     * @param passed every judged output within its bound
     * @param rowsJudged rows judged
     */
    public record Verdict(double maxAbsDiff, double bound, boolean passed, int rowsJudged) {
    }

    /** Judges {@code engine} against {@code reference}, {@code width} outputs per row. */
    public static Verdict judge(float[] engine, ReferenceForward.Bounded reference, int width) {
        double[] exact = reference.outputs();
        double[] bounds = reference.bounds();
        if (engine.length != exact.length || width < 1) {
            return new Verdict(Double.POSITIVE_INFINITY, TOLERANCE, false, 0);
        }
        double worstDiff = 0;
        double worstRatio = -1;
        double worstBound = TOLERANCE;
        int judged = 0;
        for (int at = 0; at + width <= exact.length; at += width) {
            boolean judgeable = true;
            for (int k = at; k < at + width; k++) {
                judgeable &= Double.isFinite(exact[k]) && Double.isFinite(bounds[k]);
            }
            if (!judgeable) {
                continue; // the model overflows float32 on this row: nothing to hold an engine to
            }
            judged++;
            for (int k = at; k < at + width; k++) {
                double bound = Math.max(TOLERANCE, bounds[k]);
                double diff = Math.abs(engine[k] - exact[k]);
                double ratio = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / bound;
                worstDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(worstDiff, diff);
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    worstBound = bound;
                }
            }
        }
        return new Verdict(judged == 0 ? Double.POSITIVE_INFINITY : worstDiff, worstBound,
                judged > 0 && worstRatio <= 1, judged);
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
