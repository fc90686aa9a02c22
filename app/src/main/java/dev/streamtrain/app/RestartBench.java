package dev.streamtrain.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtrain.ingest.ConsumerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * B5's second half: restart to first update after a kill. {@code streamtrain run} of an endless job runs in a child
 * JVM until it has written a few checkpoints, is killed with SIGKILL, and is started again; the figure is the time
 * from starting the second JVM to its first update past the checkpoint it resumed from (seen on the job's metrics
 * topic, where every {@code training.log-every}-th update is published). It includes what a real restart pays: the
 * JVM, loading libtorch, the verticles, the broker connection and the first fetch.
 */
final class RestartBench {
    private static final long TIMEOUT_MINUTES = 3;

    /**
     * @param seconds from starting the JVM to its first update
     * @param resumedAt the update of the checkpoint it resumed from
     */
    record Result(double seconds, long resumedAt) {
    }

    private RestartBench() {
    }

    /** Records on the restart topic: the first run is killed after 200 updates, the second has plenty left. */
    private static final int RECORDS = 5000;

    /** @param values minibatch records to cycle through on the job's own topic */
    static Result run(String bootstrapServers, List<byte[]> values, Path scratch) throws Exception {
        String topic = "bench.restart";
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(values.get(i % values.size()));
        }
        try (RecordProducer producer = new RecordProducer(bootstrapServers, Map.of())) {
            producer.sendValues(topic, records, null, null);
        }
        Path dir = Files.createDirectories(scratch.resolve("restart"));
        Path config = Files.writeString(dir.resolve("job.yaml"), """
                job: bench-restart
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {train-topic: %s, start: earliest}
                optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
                serving: {port: 0}
                """.formatted(dir.resolve("work"), bootstrapServers, topic));
        Path checkpoints = dir.resolve("work").resolve("checkpoints");
        Path log = dir.resolve("run.log");
        Process first = start(config, log);
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
            while (newest(checkpoints) < 200) {
                if (!first.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("restart bench: the first run wrote no checkpoint past update 200"
                            + " (its log: " + log + ")");
                }
                Thread.sleep(20);
            }
        } finally {
            first.destroyForcibly(); // SIGKILL
            first.waitFor(1, TimeUnit.MINUTES);
        }
        long resumedAt = newest(checkpoints);
        Map<String, Object> settings = new HashMap<>(ConsumerSettings.of(bootstrapServers, null, Map.of()));
        var tp = new TopicPartition(EventBridge.metricsTopic("bench-restart"), 0);
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings)) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            long started = System.nanoTime();
            Process second = start(config, log);
            try {
                return new Result(firstUpdateAfter(consumer, resumedAt, started, second) / 1e9, resumedAt);
            } finally {
                second.destroyForcibly();
                second.waitFor(1, TimeUnit.MINUTES);
            }
        }
    }

    /** Nanoseconds from {@code started} to the first step past {@code resumedAt} on the metrics topic. */
    private static long firstUpdateAfter(KafkaConsumer<byte[], byte[]> consumer, long resumedAt, long started,
            Process child) throws IOException {
        ObjectMapper json = new ObjectMapper();
        long deadline = started + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
        while (System.nanoTime() < deadline && child.isAlive()) {
            for (var r : consumer.poll(Duration.ofMillis(10))) {
                JsonNode event = json.readTree(r.value());
                if (event.path("type").asText().equals("step_metrics") && event.path("update").asLong() > resumedAt) {
                    return System.nanoTime() - started;
                }
            }
        }
        throw new IllegalStateException("restart bench: the restarted run trained no update in " + TIMEOUT_MINUTES
                + " minutes");
    }

    /** {@code streamtrain run} in a child JVM on this class path, as the launcher starts it. */
    private static Process start(Path config, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                "dev.streamtrain.app.Main", "run", "--config", config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** The newest published checkpoint's update, or -1 (the kill test watches checkpoints the same way). */
    static long newest(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(checkpoints)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.matches("ckpt-\\d+"))
                    .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(-1);
        }
    }
}
