package dev.streamtrain.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;

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
            producer.sendValues(topic, records, null);
        }
        String yaml = PipelineBench.jobYaml("restart", bootstrapServers, topic, scratch, false,
                PipelineBench.DEFAULT_CADENCE);
        var cfg = dev.streamtrain.core.config.JobConfigLoader.parse(yaml, "bench");
        Path dir = Files.createDirectories(cfg.workDir());
        Path config = Files.writeString(dir.resolve("job.yaml"), yaml);
        Path checkpoints = cfg.checkpoint().dir();
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
        try (var consumer = PipelineBench.plainConsumer(bootstrapServers, EventBridge.metricsTopic(cfg.job()),
                true)) {
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

    private static Process start(Path config, Path log) throws IOException {
        return startRun(config, log, List.of());
    }

    /**
     * {@code streamtrain run --config config} in a child JVM on this class path, as the launcher starts it, its output
     * appended to {@code log} (the kill test starts its children the same way).
     *
     * @param jvmFlags further JVM flags (system properties)
     * @param args further arguments of {@code run}
     */
    static Process startRun(Path config, Path log, List<String> jvmFlags, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("run", "--config", config.toString()));
        command.addAll(List.of(args));
        return startMain(log, jvmFlags, command);
    }

    /** {@code streamtrain <command...>} in a child JVM on this class path, as the launcher starts it. */
    static Process startMain(Path log, List<String> jvmFlags, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxGCPauseMillis=10", // as the launcher script starts it
                "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1"));
        cmd.addAll(classDataSharing());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.streamtrain.app.Main"));
        cmd.addAll(command);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * The launcher's class-data sharing flags, as this JVM got them (none under Maven's tests): the child maps the same
     * archive, on the same class path, as a restart through the launcher does.
     */
    private static List<String> classDataSharing() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-Xshare:")
                        || a.startsWith("-Xlog:cds"))
                .toList();
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
