package dev.streamtrain.deploy;

import dev.streamtrain.core.config.DeploySettings;

/**
 * When a saved checkpoint becomes a candidate for serving ({@link DeploySettings}): the first one, then the first at
 * least {@code every_n_train_steps} updates or {@code every_seconds} seconds after the last candidate that was
 * exported. A checkpoint that turned out not to be a candidate (not good, gone) leaves the cadence due, so the next
 * one is tried. Times come from the caller (tests advance them). Used on one thread.
 */
final class CandidateCadence {
    private final long everyUpdates;
    private final long everyMillis;
    private long lastUpdate = -1;
    private long lastMillis;

    CandidateCadence(DeploySettings settings) {
        this.everyUpdates = settings.everyNTrainSteps();
        this.everyMillis = settings.everySeconds() * 1000;
    }

    /** Whether a checkpoint at {@code update}, saved at {@code nowMillis}, should be exported. */
    boolean due(long update, long nowMillis) {
        if (everyUpdates <= 0 && everyMillis <= 0) {
            return false;
        }
        if (lastUpdate < 0) {
            return true;
        }
        return everyUpdates > 0 && update - lastUpdate >= everyUpdates
                || everyMillis > 0 && nowMillis - lastMillis >= everyMillis
                || update < lastUpdate; // a rollback went back past the last candidate: the new line starts over
    }

    /** A candidate was exported from the checkpoint at {@code update}. */
    void exported(long update, long nowMillis) {
        lastUpdate = update;
        lastMillis = nowMillis;
    }
}
