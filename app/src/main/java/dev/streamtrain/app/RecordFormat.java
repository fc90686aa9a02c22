package dev.streamtrain.app;

/** How examples are laid out in Kafka records. */
public enum RecordFormat {
    /** A minibatch per record: safetensors with {@code x} float32 [rows, features] and {@code y} int64 [rows]. */
    SAFETENSORS,
    /** An example per record: {@code {"x": [...], "y": 3}}. */
    JSON,
    /** An example per record: one CSV line, features then the label. */
    CSV
}
