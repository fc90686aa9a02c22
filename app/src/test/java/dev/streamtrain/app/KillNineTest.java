package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.checkpoint.Lineage;
import dev.streamtrain.core.checkpoint.CrashPoints;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's headline fault test: the job runs as a child process ({@code streamtrain run}) on a stream of good
 * minibatches mixed with garbage records, and is killed again and again: with SIGKILL at seeded random moments, and
 * by halting exactly between a checkpoint's files, half-way through pruning one and during export. After a last run
 * to completion, the lineage audit finds every good record trained exactly once and every bad one dead-lettered, the
 * weights equal those of a run that was never interrupted, and running the finished job again exits 0 at once.
 */
class KillNineTest {
    private static final int PASSES = 12;
    private static final int BAD_EVERY = 25;
    /** Every child started, destroyed at the end whatever happens. */
    private final List<Process> children = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void killedAtRandomAndAtTheWorstPlacesEachGoodRecordIsTrainedOnceAndTheModelEqualsAnUninterruptedRun()
            throws Exception {
        // under target/, not a temp dir: the child processes' logs stay for a look when this fails
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kill-nine")), "run");
        var broker = AppTestBroker.broker();
        LabeledRows rows = CsvRows.digits().split(0.8, 1)[0];
        long good = 0;
        long bad = 0;
        long examples = 0;
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>("kn.validation", RecordEncoder.encode(rows, 0, 256,
                    RecordFormat.SAFETENSORS))).get();
            for (int pass = 0; pass < PASSES; pass++) {
                for (int from = 0; from < rows.size(); from += 32) {
                    producer.send(new ProducerRecord<>("kn.train", RecordEncoder.encode(rows, from,
                            Math.min(rows.size(), from + 32), RecordFormat.SAFETENSORS)));
                    examples += Math.min(rows.size(), from + 32) - from;
                    if (++good % BAD_EVERY == 0) {
                        producer.send(new ProducerRecord<>("kn.train", ("garbage " + good).getBytes()));
                        bad++;
                    }
                }
            }
            producer.flush();
        }
        Path straight = job(dir, "kn-straight");
        Path killed = job(dir, "kn-killed");
        assertEquals(0, finished(run(straight, null, dir.resolve("straight.log"))), "the uninterrupted run");

        Path checkpoints = dir.resolve("kn-killed/checkpoints");
        Random random = new Random(20261130);
        int kills = 0;
        long last = -1;
        for (String crashAt : new String[] {CrashPoints.CHECKPOINT_FILES + ":3", CrashPoints.PRUNE + ":2"}) {
            Process p = run(killed, crashAt, dir.resolve("killed.log"));
            assertTrue(p.waitFor(3, TimeUnit.MINUTES), "halted at " + crashAt);
            assertEquals(137, p.exitValue(), "halted at " + crashAt + " (see killed.log)");
            kills++;
        }
        for (int i = 0; i < 4; i++) { // SIGKILL a few updates after a checkpoint, at a seeded random moment
            Process p = run(killed, null, dir.resolve("killed.log"));
            long target = Math.max(last, newest(checkpoints)) + 20 + random.nextInt(40);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (p.isAlive() && newest(checkpoints) < target && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(150));
            assertTrue(p.isAlive(), "the run must still be going to be killed (see killed.log)");
            p.destroyForcibly().waitFor(1, TimeUnit.MINUTES); // SIGKILL on Linux
            last = newest(checkpoints);
            kills++;
        }
        Process export = run(killed, CrashPoints.EXPORT + ":1", dir.resolve("killed.log"));
        assertTrue(export.waitFor(3, TimeUnit.MINUTES));
        assertEquals(137, export.exitValue(), "halted during the export");
        kills++;
        assertEquals(0, finished(run(killed, null, dir.resolve("killed.log"))), "the run completes");
        long started = System.nanoTime();
        assertEquals(0, finished(run(killed, null, dir.resolve("again.log"))), "a finished job run again");
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(90), "exits promptly");
        assertTrue(Files.readString(dir.resolve("again.log")).contains("nothing new to train"));
        assertTrue(kills >= 7);

        long update = newest(checkpoints);
        CheckpointManifest end = CheckpointManifest.read(ckpt(checkpoints, update));
        assertEquals(examples, end.samples(), "every good example, once");
        var audit = Lineage.audit(Lineage.chainTo(ckpt(checkpoints, update)));
        assertEquals(List.of(new Lineage.Audit("kn.train-0", good, 0, bad, List.of())), audit,
                "each good record trained exactly once, each bad one dead-lettered, no gap");
        Path straightCkpt = ckpt(dir.resolve("kn-straight/checkpoints"), newest(dir.resolve("kn-straight/checkpoints")));
        assertEquals(update, newest(dir.resolve("kn-straight/checkpoints")));
        assertEquals(0.0, ModelSnapshotFiles.read(straightCkpt).maxAbsDiff(
                ModelSnapshotFiles.read(ckpt(checkpoints, update))), 1e-6, "the same weights as a run never killed");
    }

    private static Path job(Path dir, String name) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                job: %s
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {stop-at-end: true, train-topic: kn.train, validation-topic: kn.validation}
                optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
                training: {eval-every: 10}
                checkpoint: {keep: 2}
                monitor: {rules: {dead_letter_rate: {max-fraction: 0.5}}}
                remediation: {actions: {divergence: none}}
                serving: {port: 0}
                """.formatted(name, dir.resolve(name), AppTestBroker.broker().bootstrapServers()));
    }

    /** Waits (3 minutes at most) for a child to end; its exit status. */
    private static int finished(Process p) throws InterruptedException {
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the child ended in time");
        return p.exitValue();
    }

    /** {@code streamtrain run} in a child JVM on the test class path, output appended to {@code log}. */
    private Process run(Path config, String crashAt, Path log) throws IOException {
        Process p = RestartBench.startRun(config, log,
                crashAt == null ? List.of() : List.of("-Dstreamtrain.crash-at=" + crashAt), "--exit-after-export");
        children.add(p);
        return p;
    }

    /** The newest published checkpoint's update, or -1. */
    private static long newest(Path checkpoints) throws IOException {
        return RestartBench.newest(checkpoints);
    }

    private static Path ckpt(Path checkpoints, long update) {
        return checkpoints.resolve(String.format("ckpt-%012d", update));
    }
}
