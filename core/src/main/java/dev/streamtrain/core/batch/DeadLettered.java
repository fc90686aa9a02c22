package dev.streamtrain.core.batch;

/**
 * A record ingest rejected and wrote to the dead-letter topic (acknowledged): the trainer counts its offset as
 * handled, so commits can move past it and nothing is lost.
 *
 * @param source the rejected record
 * @param reason short reason code, e.g. {@code non_finite_features}
 */
public record DeadLettered(OffsetRange source, String reason) implements BatchQueueItem {
}
