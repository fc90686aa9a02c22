package dev.streamtrain.core.batch;

/**
 * What ingest hands the trainer: where it starts reading a partition ({@link PartitionStarted}), a {@link MiniBatch},
 * a {@link DeadLettered} or {@link Skipped} record, or {@link EndOfStream}.
 */
public sealed interface BatchQueueItem permits MiniBatch, EndOfStream, DeadLettered, Skipped,
        PartitionStarted {
    /** Approximate heap bytes the item holds, for the read-ahead's byte budget (markers: a small constant). */
    default long sizeInBytes() {
        return 64;
    }
}
