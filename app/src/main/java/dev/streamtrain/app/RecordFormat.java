package dev.streamtrain.app;

/** How examples are laid out in Kafka records. */
public enum RecordFormat {
    /** A minibatch per record: safetensors with {@code x} float32 [rows, features] and {@code y} int64 [rows]. */
    SAFETENSORS,
    /** A minibatch per record: a numpy {@code .npz} archive with {@code x.npy} float32 and {@code y.npy} int64. */
    NPZ,
    /** An example per record: {@code {"x": [...], "y": 3}}. */
    JSON,
    /** An example per record: one CSV line, features then the label. */
    CSV;

    /** Whether a record carries a whole minibatch. */
    public boolean minibatches() {
        return this == SAFETENSORS || this == NPZ;
    }
}
