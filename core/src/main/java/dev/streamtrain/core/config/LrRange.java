package dev.streamtrain.core.config;

/**
 * The bounds a range test found, for {@code schedule.auto-range} to fill in the job's schedule.
 *
 * @param clrBaseLr CyclicLR's {@code base_lr}
 * @param clrMaxLr CyclicLR's {@code max_lr}
 * @param oneCycleMaxLr OneCycleLR's {@code max_lr}
 */
public record LrRange(double clrBaseLr, double clrMaxLr, double oneCycleMaxLr) {
    public LrRange {
        if (!(clrBaseLr > 0 && clrMaxLr > clrBaseLr && oneCycleMaxLr > 0) || !Double.isFinite(clrMaxLr)
                || !Double.isFinite(oneCycleMaxLr)) {
            throw new IllegalArgumentException("bad range: base_lr " + clrBaseLr + ", max_lr " + clrMaxLr
                    + ", one-cycle max_lr " + oneCycleMaxLr);
        }
    }
}
