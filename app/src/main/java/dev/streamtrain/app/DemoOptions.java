package dev.streamtrain.app;

import java.nio.file.Path;

/**
 * Settings of the demo run.
 *
 * @param workDir where the broker data, checkpoints and models go (wiped at start)
 * @param passes how many times the training split is streamed (shuffled each time)
 * @param batchSize rows per minibatch record
 * @param port model server port (0: any free port)
 * @param bootstrapServers an external cluster, or empty for the embedded broker
 * @param seed seed of the split, the shuffles and the initialisation
 * @param poison inject a 1e30-scaled and a NaN-label minibatch mid-stream, to watch the run heal itself
 */
public record DemoOptions(Path workDir, int passes, int batchSize, int port, String bootstrapServers, long seed,
        boolean poison) {
    public DemoOptions {
        if (passes < 1 || batchSize < 1) {
            throw new IllegalArgumentException("passes and batch size must be >= 1");
        }
    }

    /** Without poison. */
    public DemoOptions(Path workDir, int passes, int batchSize, int port, String bootstrapServers, long seed) {
        this(workDir, passes, batchSize, port, bootstrapServers, seed, false);
    }
}
