package dev.streamtrain.core.events;

import java.util.Map;

/**
 * Ingest's periodic report, for dashboards and alerting on stalled ingest or growing lag.
 *
 * @param job job name
 * @param topics the training topics assigned now
 * @param records records read so far
 * @param bytes record bytes read so far
 * @param recordsPerSecond read rate over the last interval
 * @param bytesPerSecond byte rate over the last interval
 * @param queueDepth minibatches waiting for the trainer
 * @param paused whether consumption is paused by back-pressure
 * @param decodeMicros mean decode-and-validate time per record over the last interval
 * @param lag per "topic-partition": end offset minus the next offset to read
 * @param deadLettered records sent to the dead-letter topic, by reason
 * @param skipped records handed over but not trained nor dead-lettered, by reason: {@code csv_header} (not data),
 *     {@code holdout} (held out by key hash for validation)
 * @param minibatchesByTopic minibatches handed to the trainer so far, per topic (shows the interleaving)
 * @param timeMillis wall-clock time of the report
 */
public record IngestMetrics(String job, java.util.List<String> topics, long records, long bytes,
        double recordsPerSecond, double bytesPerSecond, int queueDepth, boolean paused, double decodeMicros,
        Map<String, Long> lag, Map<String, Long> deadLettered, Map<String, Long> skipped,
        Map<String, Long> minibatchesByTopic, long timeMillis) implements StreamEvent {
    public IngestMetrics {
        topics = java.util.List.copyOf(topics);
        lag = Map.copyOf(lag);
        deadLettered = Map.copyOf(deadLettered);
        skipped = Map.copyOf(skipped);
        minibatchesByTopic = Map.copyOf(minibatchesByTopic);
    }

    @Override
    public String eventType() {
        return "ingest_metrics";
    }
}
