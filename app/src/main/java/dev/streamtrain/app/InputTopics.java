package dev.streamtrain.app;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A job's named training topics on a cluster of the user's: read, never created. A misspelled name must not become
 * a new empty topic that a bounded run "trains" on and an endless one waits on forever, so a missing one stops the
 * job at start, named with its key and the existing topic it most likely meant. (The embedded broker is the job's
 * own: there the job creates every topic. Topics matched by {@code train-topic-pattern} are picked up as they
 * appear.)
 */
final class InputTopics {
    private InputTopics() {
    }

    /**
     * @param existing the topics on the cluster
     * @throws IllegalStateException naming every missing training topic
     */
    static void requireExisting(JobConfig cfg, Set<String> existing, String bootstrapServers) {
        var topics = cfg.ingest().trainTopics();
        List<String> visible = existing.stream().filter(t -> !t.startsWith("__")).sorted().toList();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < topics.size(); i++) {
            String name = topics.get(i).topic();
            if (!existing.contains(name)) {
                String key = topics.size() == 1 ? "ingest.train-topic" : "ingest.train-topics[" + i + "]";
                missing.add("training topic '" + name + "' (" + key + ") does not exist" + Names.closest(name, visible, 3)
                        .map(t -> " (did you mean '" + t + "'?)").orElse(""));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(String.join("; ", missing) + " on the cluster at " + bootstrapServers
                    + ". A job never creates its training topics on your cluster: create "
                    + (missing.size() == 1 ? "it" : "them") + " (kafka-topics.sh --create), or fix the name in the job"
                    + " file");
        }
    }
}
