package dev.streamtrain.core.config;

/**
 * A topic to train on, named in {@code ingest.train-topics} (or the single {@code ingest.train-topic}).
 *
 * @param topic topic name
 * @param format how its records are laid out
 * @param weight its share of the minibatches under {@code ingest.interleave: weighted} (relative to the other topics)
 */
public record TrainTopic(String topic, RecordFormatSettings format, double weight) {
}
