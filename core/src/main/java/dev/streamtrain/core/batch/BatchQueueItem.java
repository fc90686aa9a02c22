package dev.streamtrain.core.batch;

/** What ingest hands the trainer: a {@link MiniBatch}, or {@link EndOfStream} in bounded runs. */
public sealed interface BatchQueueItem permits MiniBatch, EndOfStream {
}
