package dev.streamtrain.core.batch;

import java.util.Map;

/**
 * Marks the end of a bounded run: ingest reached the end offsets it noted at start.
 *
 * @param endOffsets per "topic-partition" key, the next offset after the last record handed over
 */
public record EndOfStream(Map<String, Long> endOffsets) implements BatchQueueItem {
    public EndOfStream {
        endOffsets = Map.copyOf(endOffsets);
    }
}
