package dev.streamtrain.core.events;

/**
 * Where a run's training wall time went, measured on the trainer's thread from its first minibatch to the end of the
 * run, in milliseconds. What is not waiting, evaluation or checkpointing is computing ({@link #computingMillis()}).
 *
 * @param wallMillis the whole
 * @param waitingMillis waiting for ingest: the hand-off queue was empty
 * @param evaluatingMillis evaluating the validation sources
 * @param checkpointingMillis on the trainer thread for checkpoints: taking the snapshot and waiting for the previous
 *     write (the write itself runs on the checkpoint thread)
 * @param pausedMillis paused by a control command
 */
public record TrainerTime(long wallMillis, long waitingMillis, long evaluatingMillis, long checkpointingMillis,
        long pausedMillis) {
    public TrainerTime {
        if (wallMillis < 0 || waitingMillis < 0 || evaluatingMillis < 0 || checkpointingMillis < 0
                || pausedMillis < 0) {
            throw new IllegalArgumentException("times must be >= 0");
        }
    }

    /** Forward, backward, step and everything else on the trainer thread (prequential scoring included). */
    @com.fasterxml.jackson.annotation.JsonProperty("computingMillis")
    public long computingMillis() {
        return Math.max(0, wallMillis - waitingMillis - evaluatingMillis - checkpointingMillis - pausedMillis);
    }

    /** A part of the wall time as a fraction (0 when nothing ran). */
    public double share(long partMillis) {
        return wallMillis == 0 ? 0 : (double) partMillis / wallMillis;
    }
}
