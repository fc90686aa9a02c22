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
        ensureTopics(topics.stream().map(t -> topic(t, partitions)).toList(), existing -> { });
    }

    /**
     * One admin session for a job's start (each new admin client cost a connection and a metadata round trip, a few
     * hundred milliseconds of a restart): lists the topics, lets {@code check} see them first (it throws to stop
     * before anything is created), then creates those of {@code wanted} that do not exist, in one request.
     */
    public void ensureTopics(List<NewTopic> wanted, java.util.function.Consumer<Set<String>> check)
            throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get();
            check.accept(existing);
            var seen = new java.util.HashSet<String>();
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name()) && seen.add(t.name()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        }
    }

    /** A topic to create with {@code partitions} partitions (replication: the cluster's default). */
    public NewTopic topic(String name, int partitions) {
        return new NewTopic(name, partitions, (short) (embedded != null ? 1 : -1));
    }

    /** A compacted topic (the newest record per key is kept) taking records of up to {@code maxMessageBytes}. */
    public NewTopic compactedTopic(String name, int maxMessageBytes) {
        return topic(name, 1).configs(Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(maxMessageBytes),
                // compaction never touches the active segment: roll it hourly so old versions go
                "segment.ms", String.valueOf(3_600_000)));
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
