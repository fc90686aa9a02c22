package dev.streamtrain.app;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.events.TrainerTime;
import dev.streamtrain.core.model.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The pipeline's figures of {@code streamtrain bench} on an embedded broker: B1 (whole pipeline vs the in-memory
 * loop, batch 32 and 256), B2 (ingest vs a plain consumer), B3 (freshness at half the rate the pipeline trains under
 * live production) and B5 (what the default cadence of evaluation and checkpoints costs the trainer thread).
 *
 * @param b1 per batch size
 * @param b2 ingest alone
 * @param b3 freshness
 * @param b5 the trainer's time at the default cadence (in memory, evaluating the 1,797 digits rows)
 * @param restart restart to first update after a kill (a child JVM)
 */
record PipelineFigures(List<PipelineBench.Result> b1, IngestBench.Result b2, FreshnessBench.Result b3,
        TrainerTime b5, RestartBench.Result restart) {
    /** The targets of the streaming-speed issue. */
    static final double B1_TARGET = 0.9;
    static final double B2_TARGET = 0.9;
    static final double B3_P99_TARGET_MILLIS = 20;
    static final double B5_TARGET = 0.05;
    static final double RESTART_TARGET_SECONDS = 5;

    /**
     * @param samples rows per B1/B2 run
     * @param rounds interleaved rounds (medians)
     * @param freshnessSeconds how long B3 produces at its paced rate (its first third warms up)
     */
    static PipelineFigures measure(LabeledRows rows, long samples, int rounds, int freshnessSeconds)
            throws Exception {
        Path scratch = Files.createTempDirectory("streamtrain-bench");
        try (var broker = EmbeddedKafkaBroker.start(scratch.resolve("kafka"))) {
            String servers = broker.bootstrapServers();
            List<PipelineBench.Workload> workloads = List.of(PipelineBench.workload(rows, 32, samples),
                    PipelineBench.workload(rows, 256, samples));
            PipelineBench.produce(servers, workloads);
            List<PipelineBench.Result> b1 = PipelineBench.run(servers, workloads, rounds, scratch);
            settle();
            IngestBench.Result b2 = IngestBench.run(servers, workloads.get(0), IngestBench.ROUNDS_PER_ROUND * rounds,
                    scratch);
            settle();
            FreshnessBench.Result b3 = FreshnessBench.run(servers, workloads.get(0).values(),
                    b1.get(0).samplesPerSecond() / FreshnessBench.ROWS, freshnessSeconds, scratch);
            settle();
            TrainerTime b5 = TrainBench.inMemory("cadence", PipelineBench.DEFAULT_CADENCE,
                    workloads.get(0).batches(), validation(rows), scratch).time();
            RestartBench.Result restart = RestartBench.run(servers, workloads.get(0).values(), scratch);
            return new PipelineFigures(b1, b2, b3, b5, restart);
        } finally {
            AtomicFiles.deleteTree(scratch);
        }
    }

    /**
     * A full collection between two parts, as JMH runs one between iterations by default: what one part left in the
     * old generation (hundreds of MB of dead jobs, consumers and brokers' buffers after B1's rounds) is otherwise
     * scanned and copied around in the next part's young collections, which lengthened B3's pauses from 5-7 ms (a
     * JVM that ran B3 alone) to 15-33 ms.
     */
    private static void settle() {
        System.gc();
    }

    private static ValidationSet validation(LabeledRows rows) {
        ValidationSet v = new ValidationSet(rows.size());
        for (int from = 0; from < rows.size(); from += 64) {
            int to = Math.min(rows.size(), from + 64);
            v.add(new MiniBatch(to - from, rows.features(), rows.flatFeatures(from, to), rows.labels(from, to),
                    List.of()));
        }
        return v;
    }

    private static void ages(PrintWriter out, String name, FreshnessBench.Ages a) {
        out.printf(Locale.ROOT, "  %-28s %8.0f %8.0f %8.0f %,8d%n", name, a.p50Millis(), a.p99Millis(), a.maxMillis(),
                a.count());
    }

    /**
     * One figure against its target.
     *
     * @param figure its name
     * @param value what was measured
     * @param target the bound
     * @param atLeast whether the value must reach the target (else stay at or below it)
     */
    record Verdict(String figure, double value, double target, boolean atLeast) {
        @com.fasterxml.jackson.annotation.JsonProperty("met")
        boolean met() {
            return atLeast ? value >= target : value <= target;
        }
    }

    /** Every figure with a target, in print order. */
    @com.fasterxml.jackson.annotation.JsonProperty("verdicts")
    List<Verdict> verdicts() {
        List<Verdict> v = new java.util.ArrayList<>();
        b1.forEach(r -> v.add(new Verdict("B1 batch " + r.batchSize(), r.ratio(), B1_TARGET, true)));
        v.add(new Verdict("B2", b2.ratio(), B2_TARGET, true));
        v.add(new Verdict("B3 p99 ms", b3.pipeline().p99Millis(), B3_P99_TARGET_MILLIS, false));
        v.add(new Verdict("B5 checkpoints", b5.share(b5.checkpointingMillis()), B5_TARGET, false));
        v.add(new Verdict("B5 restart s", restart.seconds(), RESTART_TARGET_SECONDS, false));
        return v;
    }

    private static String mark(Verdict v) {
        return v.met() ? "met" : "MISSED";
    }

    void print(PrintWriter out) {
        List<Verdict> verdicts = verdicts();
        out.println("B1 pipeline: Kafka -> ingest -> trainer vs the in-memory loop over the same minibatches"
                + " (SGD momentum, no evaluation; target: ratio >= " + B1_TARGET + ")");
        out.printf("  %-8s %14s %14s %8s %16s %8s%n", "batch", "samples/s", "in memory", "ratio", "trainer waited",
                "target");
        for (int i = 0; i < b1.size(); i++) {
            PipelineBench.Result r = b1.get(i);
            out.printf(Locale.ROOT, "  %-8d %,14.0f %,14.0f %8.2f %15.0f%% %8s%n", r.batchSize(),
                    r.samplesPerSecond(), r.inMemorySamplesPerSecond(), r.ratio(), 100 * r.waitingFraction(),
                    mark(verdicts.get(i)));
        }
        out.printf(Locale.ROOT, "%nB2 ingest: decode + validate + hand over vs a plain KafkaConsumer poll loop,"
                + " minibatch records of 32 rows (target: ratio >= %.1f)%n", B2_TARGET);
        out.printf(Locale.ROOT, "  ingest %.1f MB/s, plain consumer %.1f MB/s: ratio %.2f, %s%n",
                b2.ingestMBPerSecond(), b2.plainConsumerMBPerSecond(), b2.ratio(), mark(verdicts.get(b1.size())));
        out.printf(Locale.ROOT, "%nB3 freshness: from st-produced-at to the update that applied the example, default"
                + " model and cadence, producer linger.ms 0 (target: p99 <= %.0f ms)%n", B3_P99_TARGET_MILLIS);
        out.printf(Locale.ROOT, "  paced at %,.0f minibatch records/s of %d rows (%,.0f samples/s): half of the %s%,.0f"
                + " records/s the pipeline trains when records arrive faster than it trains them%n",
                b3.recordsPerSecond(), FreshnessBench.ROWS, FreshnessBench.ROWS * b3.recordsPerSecond(),
                b3.maximum().outpaced() ? "" : "at least ", b3.maximum().recordsPerSecond());
        out.printf("  %-28s %8s %8s %8s %8s%n", "", "p50 ms", "p99 ms", "max ms", "count");
        ages(out, "pipeline (to the update)", b3.pipeline());
        ages(out, "Kafka alone (plain consumer)", b3.kafka());
        out.printf("  %s%n", mark(verdicts.get(b1.size() + 1)));
        out.printf(Locale.ROOT, "%nB5 cadence: the trainer's time, in memory, evaluating 1,797 rows and writing a"
                + " checkpoint every 50 updates (target: checkpoints <= %.0f%%)%n", 100 * B5_TARGET);
        out.printf(Locale.ROOT, "  computing %.1f%%, waiting for ingest %.1f%%, evaluating %.1f%%, checkpoints %.1f%% of"
                + " %,d ms: %s%n", 100 * b5.share(b5.computingMillis()), 100 * b5.share(b5.waitingMillis()),
                100 * b5.share(b5.evaluatingMillis()), 100 * b5.share(b5.checkpointingMillis()), b5.wallMillis(),
                mark(verdicts.get(b1.size() + 2)));
        out.printf(Locale.ROOT, "  restart to first update after kill -9 (a new JVM, resuming at update %,d): %.1f s"
                + " (target <= %.0f s): %s%n", restart.resumedAt(), restart.seconds(), RESTART_TARGET_SECONDS,
                mark(verdicts.get(b1.size() + 3)));
        long missed = verdicts.stream().filter(v -> !v.met()).count();
        out.printf("%n%d of %d targets met.%s%n", verdicts.size() - missed, verdicts.size(), missed == 0 ? ""
                : " What moves them: B1 and B2, fewer other busy threads on the machine (the broker elsewhere); B3,"
                        + " garbage-collection pauses (the launcher asks G1 for 10 ms; STREAMTRAIN_JAVA_OPTS overrides)"
                        + " and a larger training.eval-every. See the README's Speed section.");
    }
}
