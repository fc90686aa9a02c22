package dev.streamtrain.app;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real KRaft broker for the app test classes that run jobs against an external cluster (started on first use,
 * stopped at exit), and the bounded job they run on it: each test uses its own job name, so topics and groups never
 * meet.
 */
final class AppTestBroker {
    private static EmbeddedKafkaBroker broker;
    private static Path root;

    private AppTestBroker() {
    }

    /** The broker, started on first use. */
    static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            try {
                root = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-jobs")), "run");
                broker = EmbeddedKafkaBroker.start(root.resolve("broker"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-broker-stop"));
        }
        return broker;
    }

    /**
     * A bounded job on the test broker (SGD with momentum, any free serving port, work dir of its own), plus extra
     * YAML; a section repeated in {@code extraYaml} replaces the default one.
     */
    static JobConfig job(String job, String extraYaml) {
        broker();
        return JobConfigLoader.parse("""
                job: %s
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {stop-at-end: true}
                optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
                serving: {port: 0}
                %s
                """.formatted(job, root.resolve(job), broker.bootstrapServers(), extraYaml), "test");
    }
}
