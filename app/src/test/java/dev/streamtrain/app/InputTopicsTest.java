package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a cluster of the user's, a job reads its training topics and never creates them. */
class InputTopicsTest {
    @TempDir
    Path dir;

    @Test
    void aMisspelledTrainingTopicStopsTheJobAtStartAndIsNeverCreated() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.forJob(AppTestBroker.job("typo", ""))) {
            cluster.ensureTopics(List.of("typo-digits.train"), 1);
        }
        Path job = Files.writeString(dir.resolve("typo.yaml"), """
                job: typo
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {stop-at-end: true, train-topic: typo-digts.train}
                serving: {port: 0}
                """.formatted(dir.resolve("typo-work"), AppTestBroker.broker().bootstrapServers()));
        var r = ScheduleCommandTest.run("run", "--config", job.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("error: training topic 'typo-digts.train' (ingest.train-topic) does not exist (did you mean"
                + " 'typo-digits.train'?) on the cluster at " + AppTestBroker.broker().bootstrapServers() + ". A job never creates its"
                + " training topics on your cluster: create it (kafka-topics.sh --create), or fix the name in the job"
                + " file", r.err().strip());
        try (KafkaCluster cluster = KafkaCluster.forJob(AppTestBroker.job("typo", ""))) {
            assertTrue(!cluster.topicNames().contains("typo-digts.train"), "the misspelled topic was not created");
        }
    }
}
