package dev.streamtrain.app;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.StepMetricsBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * B3: freshness. An endless job with the default model and cadence (a checkpoint every 50 updates) runs twice while
 * minibatch records of {@link #ROWS} rows are produced, each stamped with its send time:
 * <ol>
 * <li>the <em>maximum</em>: records are produced faster than the pipeline trains them (at B1's rate from a
 * backlog), and the rate at which it trains while they are still being produced is measured: producer, broker and
 * pipeline share the machine, as they do in the paced run (this also warms the broker's produce path);</li>
 * <li>the <em>paced</em> run at half that rate: every update reports the age of its oldest example
 * ({@link StepMetrics#ageMillis()}: from the {@code st-produced-at} header to the update that applied it). The
 * producer sends each record at once ({@link #PRODUCER}). The first third of the records warms the new job up and
 * is trained to the last record before the rest is produced at the same pace: the ages reported are of a pipeline
 * that had caught up, not of the backlog its start left (a new job's first update waits for libtorch and the
 * verticles while the producer is already sending).</li>
 * </ol>
 */
final class FreshnessBench {
    /**
     * Ages in milliseconds.
     *
     * @param p50Millis median
     * @param p99Millis 99th percentile
     * @param maxMillis the largest
     * @param count ages measured
     */
    record Ages(double p50Millis, double p99Millis, double maxMillis, int count) {
        static Ages of(List<Long> ages) {
            List<Long> sorted = ages.stream().sorted().toList();
            if (sorted.isEmpty()) {
                throw new IllegalStateException("no age was measured");
            }
            return new Ages(percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.get(sorted.size() - 1),
                    sorted.size());
        }
    }

    /**
     * @param maximum the pipeline's rate while records are produced faster than it trains
     * @param recordsPerSecond the paced produce rate (half the maximum)
     * @param pipeline the age of an example when an update applied it
     * @param kafka the age of a record when a plain consumer received it (Kafka's own share)
     */
    record Result(Maximum maximum, double recordsPerSecond, Ages pipeline, Ages kafka) {
    }

    /**
     * A producer that sends each record at once ({@code linger.ms} 0, Kafka's default 5 ms batches records for
     * throughput at the cost of up to that much age), as one who cares for freshness configures it; the pipeline's
     * run and Kafka's share use the same.
     */
    static final Map<String, String> PRODUCER = Map.of("linger.ms", "0");

    /** Rows per minibatch record, in both runs. */
    static final int ROWS = 32;

    private FreshnessBench() {
    }

    /**
     * @param live minibatch records of {@link #ROWS} rows, cycled through by both runs (already encoded: B1's)
     * @param liveRecordsPerSecond the rate they are produced at: faster than the pipeline trains while they are
     *     produced (B1's rate from a backlog)
     * @param seconds how long each run produces (at least 150 records)
     */
    static Result run(String bootstrapServers, List<byte[]> live, double liveRecordsPerSecond,
            int seconds, Path scratch) throws Exception {
        List<long[]> progress = java.util.Collections.synchronizedList(new ArrayList<>()); // {nanos, samples}
        List<byte[]> outpacing = cycled(live, records(liveRecordsPerSecond, seconds));
        long[] produced = stream(bootstrapServers, "freshness-maximum", "bench.b3.live", outpacing,
                liveRecordsPerSecond, 0, scratch, m -> progress.add(new long[] {System.nanoTime(), m.samples()}));
        Maximum maximum = maximum(progress, produced, (long) ROWS * outpacing.size());
        double recordsPerSecond = maximum.recordsPerSecond() / 2;
        List<byte[]> paced = cycled(live, records(recordsPerSecond, seconds));
        List<Long> ages = java.util.Collections.synchronizedList(new ArrayList<>());
        int warmUp = paced.size() / 3;
        stream(bootstrapServers, "freshness", "bench.b3.paced", paced, recordsPerSecond, warmUp, scratch, m -> {
            if (m.samples() > (long) ROWS * warmUp && m.ageMillis() >= 0) {
                ages.add(m.ageMillis());
            }
        });
        return new Result(maximum, recordsPerSecond, Ages.of(ages),
                kafkaAlone(bootstrapServers, paced, recordsPerSecond));
    }

    private static int records(double perSecond, int seconds) {
        return (int) Math.max(150, Math.min(Integer.MAX_VALUE, perSecond * seconds));
    }

    /** {@code values} repeated in order up to {@code size} records (a view, nothing copied). */
    static List<byte[]> cycled(List<byte[]> values, int size) {
        return new java.util.AbstractList<>() {
            @Override
            public byte[] get(int index) {
                return values.get(index % values.size());
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /**
     * The pipeline's rate while records were still being produced to it.
     *
     * @param recordsPerSecond minibatch records trained per second
     * @param outpaced whether the producer stayed ahead (a backlog at its end); if not, the pipeline kept up and the
     *     rate is only a lower bound of its maximum
     */
    record Maximum(double recordsPerSecond, boolean outpaced) {
    }

    /**
     * Minibatch records per second trained while the producer was still producing, its first third left out (start
     * up, a backlog forming).
     *
     * @param progress {nanoTime, samples trained} per update
     * @param produced {first, last} send in nanoTime
     * @param producedSamples rows in all the records produced
     * @throws IllegalStateException with fewer than two updates in that window
     */
    static Maximum maximum(List<long[]> progress, long[] produced, long producedSamples) {
        long from = produced[0] + (produced[1] - produced[0]) / 3;
        long[] first = null;
        long[] last = null;
        synchronized (progress) {
            for (long[] p : progress) {
                if (p[0] >= from && p[0] <= produced[1]) {
                    first = first == null ? p : first;
                    last = p;
                }
            }
        }
        if (first == null || last[0] == first[0]) {
            throw new IllegalStateException("B3: fewer than two updates while the records were produced");
        }
        return new Maximum((last[1] - first[1]) / (double) ROWS / ((last[0] - first[0]) / 1e9),
                last[1] < 0.95 * producedSamples);
    }

    /**
     * Runs an endless default-cadence job on {@code topic} while {@code values} are produced to it at
     * {@code perSecond}, until every sample was trained; each update's metrics go to {@code onUpdate} (on the event
     * loop).
     *
     * @param warmUp the first {@code warmUp} records are produced and trained before the rest is produced (0: one
     *     stream)
     * @return when production started and ended, in {@link System#nanoTime()}
     */
    private static long[] stream(String bootstrapServers, String name, String topic, List<byte[]> values,
            double perSecond, int warmUp, Path scratch, Consumer<StepMetrics> onUpdate) throws Exception {
        JobConfig cfg = PipelineBench.job(name, bootstrapServers, topic, scratch, false,
                PipelineBench.QUIET_MONITOR + PipelineBench.DEFAULT_CADENCE);
        var trainedAll = new CompletableFuture<Void>();
        var warmedUp = new CompletableFuture<Void>();
        long total = (long) ROWS * values.size();
        long[] produced = new long[2];
        try (KafkaCluster cluster = KafkaCluster.forJob(cfg)) {
            cluster.ensureTopics(List.of(topic), 1); // the job reads it before it is produced to
        }
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), ConsoleProgress.silent(), 0)) {
            pipeline.vertx().eventBus().<StepMetricsBatch>consumer(Addresses.STEP_METRICS, m -> {
                m.body().steps().forEach(onUpdate);
                long trained = m.body().last().samples();
                if (trained >= (long) ROWS * warmUp) {
                    warmedUp.complete(null);
                }
                if (trained >= total) {
                    trainedAll.complete(null);
                }
            });
            try (RecordProducer producer = new RecordProducer(bootstrapServers, PRODUCER)) {
                if (warmUp > 0) {
                    producer.sendValues(topic, values.subList(0, warmUp), Pacer.perSecond(perSecond));
                    trained(warmedUp, ROWS * warmUp);
                }
                produced[0] = System.nanoTime();
                producer.sendValues(topic, values.subList(warmUp, values.size()), Pacer.perSecond(perSecond));
                produced[1] = System.nanoTime();
            }
            trained(trainedAll, total);
        }
        return produced;
    }

    private static void trained(CompletableFuture<Void> done, long samples) throws Exception {
        try {
            done.get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("B3: the pipeline did not train " + samples + " samples within 5 minutes");
        }
    }

    /** The same paced production read by a plain consumer: the age of each record as it arrives. */
    private static Ages kafkaAlone(String bootstrapServers, List<byte[]> values, double recordsPerSecond)
            throws Exception {
        String topic = "bench.b3.plain";
        List<Long> ages = new ArrayList<>();
        try (RecordProducer producer = new RecordProducer(bootstrapServers, PRODUCER)) {
            producer.sendValues(topic, List.of(new byte[1]), null); // the topic exists before reading
            try (var consumer = PipelineBench.plainConsumer(bootstrapServers, topic, true)) {
                var stop = new java.util.concurrent.atomic.AtomicBoolean();
                var reading = CompletableFuture.runAsync(() -> {
                    for (int received = 0; received < values.size() && !stop.get(); ) {
                        for (var r : consumer.poll(java.time.Duration.ofMillis(20))) {
                            if (++received > values.size() / 3) {
                                ages.add(System.currentTimeMillis()
                                        - dev.streamtrain.ingest.ProducedAt.of(r.headers(), r.timestamp()));
                            }
                        }
                    }
                });
                producer.sendValues(topic, values, Pacer.perSecond(recordsPerSecond));
                try {
                    reading.get(5, TimeUnit.MINUTES);
                } catch (java.util.concurrent.TimeoutException e) {
                    stop.set(true);
                    reading.exceptionally(t -> null).join(); // the consumer is closed only once its reader stopped
                    throw new IllegalStateException("B3: a plain consumer did not receive all " + values.size()
                            + " records within 5 minutes");
                }
            }
        }
        return Ages.of(ages);
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(List<Long> sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
