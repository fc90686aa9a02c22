package dev.streamtrain.core.schedule;

/**
 * A schedule whose PyTorch {@code get_lr} sets an absolute rate rather than scaling the current one
 * (CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts, SequentialLR): in a chain it overrides what it finds.
 */
public interface AbsoluteSchedule extends LrSchedule {
    @Override
    default double chained(double current, long t, double baseLr) {
        return lr(t);
    }
}
