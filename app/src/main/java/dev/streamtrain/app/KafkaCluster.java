package dev.streamtrain.app;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.config.JobConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The Kafka cluster a job uses: the one named by {@code kafka.bootstrap-servers}, or else an embedded broker started
 * here with its data under the job's work directory. Closing stops the embedded broker (and nothing else).
 */
public final class KafkaCluster implements AutoCloseable {
    private final String bootstrapServers;
    private final EmbeddedKafkaBroker embedded;
    private final Map<String, String> adminSettings;

    private KafkaCluster(String bootstrapServers, EmbeddedKafkaBroker embedded, Map<String, String> adminSettings) {
        this.bootstrapServers = bootstrapServers;
        this.embedded = embedded;
        this.adminSettings = adminSettings;
    }

    /** Connects to the configured cluster, or starts the embedded broker when none is configured. */
    public static KafkaCluster forJob(JobConfig cfg) throws IOException {
        if (!cfg.kafka().embedded()) {
            return new KafkaCluster(cfg.kafka().bootstrapServers(), null, cfg.kafka().consumer());
        }
        Path dataDir = cfg.workDir().resolve("kafka");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir);
        return new KafkaCluster(broker.bootstrapServers(), broker, Map.of());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The embedded broker, or null when connected to an external cluster. */
    public EmbeddedKafkaBroker embeddedBroker() {
        return embedded;
    }

    /** A new admin client (the caller closes it). */
    public Admin admin() {
        Map<String, Object> p = new HashMap<>(adminSettings);
        p.keySet().removeIf(k -> k.contains("deserializer") || k.startsWith("group.") || k.startsWith("auto."));
        p.put("bootstrap.servers", bootstrapServers);
        return Admin.create(p);
    }

    /** The names of the topics on the cluster. */
    public Set<String> topicNames() throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get();
        }
    }

    /** Creates the topics that do not exist yet. */
    public void ensureTopics(Collection<String> topics, int partitions) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics.stream().distinct().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, (short) (embedded != null ? 1 : -1))).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        }
    }

    /**
     * Creates a compacted topic (the newest record per key is kept) taking records of up to {@code maxMessageBytes},
     * unless it exists.
     */
    public void ensureCompactedTopic(String topic, int maxMessageBytes) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) (embedded != null ? 1 : -1)).configs(Map.of(
                        "cleanup.policy", "compact", "max.message.bytes", String.valueOf(maxMessageBytes),
                        // compaction never touches the active segment: roll it hourly so old versions go
                        "segment.ms", String.valueOf(3_600_000))))).all().get();
            }
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
