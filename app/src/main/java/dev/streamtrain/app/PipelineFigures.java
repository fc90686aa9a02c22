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
 * loop, batch 32 and 256), B2 (ingest vs a plain consumer), B3 (freshness at half the B1 rate) and B5 (what the
 * default cadence of evaluation and checkpoints costs the trainer thread).
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
            IngestBench.Result b2 = IngestBench.run(servers, workloads.get(0), rounds, scratch);
            double recordsPerSecond = b1.get(0).pipeline() / 2 / 32; // half the measured maximum
            var paced = PipelineBench.workload(rows, 32,
                    32L * Math.max(150, (long) (recordsPerSecond * freshnessSeconds)));
            FreshnessBench.Result b3 = FreshnessBench.run(servers, paced, recordsPerSecond, scratch);
            TrainerTime b5 = TrainBench.inMemory("cadence", FreshnessBench.DEFAULT_CADENCE,
                    workloads.get(0).batches(), validation(rows), scratch).time();
            RestartBench.Result restart = RestartBench.run(servers, workloads.get(0).values(), scratch);
            return new PipelineFigures(b1, b2, b3, b5, restart);
        } finally {
            AtomicFiles.deleteTree(scratch);
        }
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

    void print(PrintWriter out) {
        out.println("B1 pipeline: Kafka -> ingest -> trainer vs the in-memory loop over the same minibatches"
                + " (SGD momentum, no evaluation; target >= " + B1_TARGET + ")");
        out.printf("  %-8s %14s %14s %8s %16s%n", "batch", "samples/s", "in memory", "B1", "trainer waited");
        for (PipelineBench.Result r : b1) {
            out.printf(Locale.ROOT, "  %-8d %,14.0f %,14.0f %8.2f %15.0f%%%n", r.batchSize(), r.pipeline(),
                    r.inMemory(), r.ratio(), 100 * r.waiting());
        }
        out.printf(Locale.ROOT, "%nB2 ingest: decode + validate + hand over vs a plain KafkaConsumer poll loop, batch 32"
                + " records (target >= %.1f)%n", B2_TARGET);
        out.printf(Locale.ROOT, "  ingest %.1f MB/s, plain consumer %.1f MB/s: B2 %.2f%n", b2.ingest(),
                b2.plainConsumer(), b2.ratio());
        out.printf(Locale.ROOT, "%nB3 freshness: produced-at to the update that applied it, at %.0f records/s (half"
                + " of B1's batch-32 rate), default model and cadence (target p99 <= %.0f ms)%n",
                b3.recordsPerSecond(), B3_P99_TARGET_MILLIS);
        out.printf("  %-28s %8s %8s %8s %8s%n", "", "p50 ms", "p99 ms", "max ms", "count");
        ages(out, "pipeline (to the update)", b3.pipeline());
        ages(out, "Kafka alone (plain consumer)", b3.kafka());
        out.printf(Locale.ROOT, "%nB5 cadence: the trainer's time with evaluation (1,797 rows) and a checkpoint every 50"
                + " updates, in memory (target: checkpoints <= %.0f%%)%n", 100 * B5_TARGET);
        out.printf(Locale.ROOT, "  checkpoints %.1f%%, evaluation %.1f%%, computing %.1f%% of %,d ms%n",
                100 * b5.share(b5.checkpointingMillis()), 100 * b5.share(b5.evaluatingMillis()),
                100 * b5.share(b5.computingMillis()), b5.wallMillis());
        out.printf(Locale.ROOT, "  restart to first update after kill -9 (a new JVM, resuming at update %,d): %.1f s"
                + " (target <= %.0f s)%n", restart.resumedAt(), restart.seconds(), RESTART_TARGET_SECONDS);
    }
}
