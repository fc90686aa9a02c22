package dev.streamtrain.ingest;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * One real KRaft broker for every ingest test class of this test JVM (started on first use, stopped at exit): test
 * classes use their own topic and group names, so they can share it, and the module's tests start one broker, not one
 * per class.
 */
final class SharedBroker {
    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    private SharedBroker() {
    }

    /** The broker, started on first use. */
    static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            try {
                Path dir = Files.createDirectories(Path.of("target", "test-broker"));
                broker = EmbeddedKafkaBroker.start(Files.createTempDirectory(dir, "kafka"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                admin.close();
                broker.close();
            }, "test-broker-stop"));
        }
        return broker;
    }

    /** An admin client of the broker. */
    static synchronized Admin admin() {
        broker();
        return admin;
    }
}
