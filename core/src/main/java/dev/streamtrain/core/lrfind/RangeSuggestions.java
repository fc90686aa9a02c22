package dev.streamtrain.core.lrfind;

import java.util.Locale;

/**
 * The rates a range test suggests, from its smoothed curve, as fastai computes them ({@code lr_find}: the first tenth
 * and the last five points are left out, and the curve ends at its first non-finite loss):
 * <ul>
 *   <li>{@code steepest}: the rate where the loss falls fastest against {@code log(lr)} ({@code steep});</li>
 *   <li>{@code minimumTenth}: a tenth of the rate at the lowest loss ({@code minimum});</li>
 *   <li>{@code valley}: two thirds down the longest run of falling loss ({@code valley}, fastai's default);</li>
 *   <li>{@code lossMinimum}: the rate at the lowest loss, where the loss stops falling.</li>
 * </ul>
 * The schedules' {@code max_lr} (CyclicLR and OneCycleLR) is {@code minimumTenth}, and CyclicLR's {@code base_lr} a
 * quarter of it (training-knowledge §5: a third to a quarter). Measured on the digits stream (SGD, momentum 0.9;
 * {@code LrFindTest}): a fixed rate trained well from 0.03 to 0.1, 0.3 less well, 1.0 diverged; the sweep's loss
 * minimum was 0.61 — a sweep spends a few updates at each rate, so the rate where its loss turns is more than a run
 * can hold, which is why fastai divides it by ten —, minimum/10 0.061, steepest 0.17, and the valley 0.0034 (a flat
 * start of the curve stretches the longest descent back to the tiniest rates).
 *
 * @param steepest rate of the steepest descent
 * @param minimumTenth the lowest loss's rate over 10
 * @param valley the valley's rate
 * @param lossMinimum the lowest loss's rate
 * @param points the curve's points the suggestions read (after trimming)
 */
public record RangeSuggestions(double steepest, double minimumTenth, double valley, double lossMinimum, int points) {
    /** Fewest points left after trimming for suggestions to mean anything. */
    public static final int MIN_POINTS = 5;

    /** CyclicLR's {@code max_lr}: a tenth of the rate where the loss stops falling. */
    public double clrMaxLr() {
        return minimumTenth;
    }

    /** CyclicLR's {@code base_lr}: a quarter of its {@code max_lr} (the seeds' range is a quarter to a third). */
    public double clrBaseLr() {
        return minimumTenth / 4;
    }

    /** OneCycleLR's {@code max_lr}: as CyclicLR's. */
    public double oneCycleMaxLr() {
        return minimumTenth;
    }

    /**
     * Suggestions from a recorded curve.
     *
     * @param steps the updates the sweep was to make (fastai trims by the requested count, also when divergence
     *     ended the sweep sooner)
     * @throws IllegalStateException when the curve is too short once trimmed (too few updates before divergence)
     */
    public static RangeSuggestions of(RangeCurve curve, int steps) {
        double[] lrs = curve.lrs();
        double[] losses = curve.smoothed();
        int from = steps / 10;
        int to = lrs.length - 5;
        for (int i = from; i < to; i++) {
            if (!Double.isFinite(losses[i])) {
                to = i;
                break;
            }
        }
        int n = to - from;
        if (n < MIN_POINTS) {
            throw new IllegalStateException("the sweep recorded " + lrs.length + " updates; suggestions need at least "
                    + (from + 5 + MIN_POINTS) + " before the loss diverges or the records run out (lower --start,"
                    + " raise --steps, or read more records)");
        }
        int min = from;
        int steep = from;
        double steepest = Double.POSITIVE_INFINITY;
        for (int i = from; i < to; i++) {
            if (losses[i] < losses[min]) {
                min = i;
            }
            if (i + 1 < to) {
                double slope = (losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i]));
                if (slope < steepest) {
                    steepest = slope;
                    steep = i;
                }
            }
        }
        return new RangeSuggestions(lrs[steep], lrs[min] / 10, lrs[from + valley(losses, from, to)], lrs[min], n);
    }

    /** fastai's {@code valley}: the longest decreasing subsequence, two thirds along it (an index from {@code from}). */
    static int valley(double[] losses, int from, int to) {
        int n = to - from;
        int[] lds = new int[n];
        java.util.Arrays.fill(lds, 1);
        int maxStart = 0;
        int maxEnd = 0;
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (losses[from + i] < losses[from + j] && lds[i] < lds[j] + 1) {
                    lds[i] = lds[j] + 1;
                }
                if (lds[maxEnd] < lds[i]) {
                    maxEnd = i;
                    maxStart = maxEnd - lds[maxEnd];
                }
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        int idx = maxStart + (int) sections + (int) (sections / 2);
        return idx < 0 ? idx + n : idx; // maxStart is one before the run: -1 indexes from the end, as in Python
    }

    /** The suggestions with what each means, one per line. */
    public String describe() {
        return String.format(Locale.ROOT, """
                steepest descent  %-9.3g the rate where the smoothed loss falls fastest (fastai steep)
                minimum / 10      %-9.3g a tenth of the rate at the lowest loss (fastai minimum): max_lr below
                valley            %-9.3g half-way down the longest fall of the loss (fastai valley)
                loss minimum      %-9.3g where the loss stops falling (more than a run can hold: a sweep
                                            stays only a few updates at each rate)
                CyclicLR          base_lr %.3g, max_lr %.3g (base = max/4; the seeds say max/4 .. max/3)
                OneCycleLR        max_lr %.3g
                """, steepest, minimumTenth, valley, lossMinimum, clrBaseLr(), clrMaxLr(), oneCycleMaxLr());
    }

    /** Ready-to-paste {@code schedule:} blocks for CyclicLR and OneCycleLR with these bounds. */
    public String scheduleBlocks() {
        return String.format(Locale.ROOT, """
                # CyclicLR (triangular); step_size_up: 2-8x the updates of one pass over your data
                schedule:
                  scheduler: CyclicLR
                  params: {base_lr: %.3g, max_lr: %.3g, step_size_up: 2000}

                # or OneCycleLR; total_steps: the updates of your run
                schedule:
                  scheduler: OneCycleLR
                  params: {max_lr: %.3g, total_steps: 10000}
                """, clrBaseLr(), clrMaxLr(), oneCycleMaxLr());
    }
}
