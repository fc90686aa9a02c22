package dev.streamtrain.app;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.StepMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * B3: freshness. An endless job (the default model and cadence: evaluation and a checkpoint every 50 updates) runs
 * while minibatch records are produced at a paced rate, each stamped with its send time; every update reports the age
 * of its oldest example ({@link StepMetrics#ageMillis()}: from the {@code st-produced-at} header to the update that
 * applied it). The first third of the records warms up (the first checkpoint, the JIT, the page cache); the ages of
 * the rest are reported.
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
     * @param recordsPerSecond the paced produce rate
     * @param pipeline the age of an example when an update applied it
     * @param kafka the age of a record when a plain consumer received it (Kafka's own share)
     */
    record Result(double recordsPerSecond, Ages pipeline, Ages kafka) {
    }

    private FreshnessBench() {
    }

    static Result run(String bootstrapServers, PipelineBench.Workload w, double recordsPerSecond, Path scratch)
            throws Exception {
        JobConfig cfg = PipelineBench.job("freshness", bootstrapServers, w.topic() + ".paced", scratch, false,
                PipelineBench.DEFAULT_CADENCE);
        List<Long> ages = java.util.Collections.synchronizedList(new ArrayList<>());
        var trainedAll = new CompletableFuture<Void>();
        long total = w.samples();
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), ConsoleProgress.silent(), 0)) {
            pipeline.vertx().eventBus().<StepMetrics>consumer(Addresses.STEP_METRICS, m -> {
                if (m.body().samples() > total / 3 && m.body().ageMillis() >= 0) {
                    ages.add(m.body().ageMillis());
                }
                if (m.body().samples() >= total) {
                    trainedAll.complete(null);
                }
            });
            try (RecordProducer producer = new RecordProducer(bootstrapServers, Map.of())) {
                producer.sendValues(cfg.ingest().trainTopic(), w.values(), Pacer.perSecond(recordsPerSecond));
            }
            try {
                trainedAll.get(5, TimeUnit.MINUTES);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("B3: the pipeline did not train all " + total
                        + " samples within 5 minutes");
            }
        }
        return new Result(recordsPerSecond, Ages.of(ages), kafkaAlone(bootstrapServers, w, recordsPerSecond));
    }

    /** The same paced production read by a plain consumer: the age of each record as it arrives. */
    private static Ages kafkaAlone(String bootstrapServers, PipelineBench.Workload w, double recordsPerSecond)
            throws Exception {
        String topic = w.topic() + ".plain";
        List<Long> ages = new ArrayList<>();
        try (RecordProducer producer = new RecordProducer(bootstrapServers, Map.of())) {
            producer.sendValues(topic, List.of(new byte[1]), null); // the topic exists before reading
            try (var consumer = PipelineBench.plainConsumer(bootstrapServers, topic, true)) {
                var stop = new java.util.concurrent.atomic.AtomicBoolean();
                var reading = CompletableFuture.runAsync(() -> {
                    for (int received = 0; received < w.values().size() && !stop.get(); ) {
                        for (var r : consumer.poll(java.time.Duration.ofMillis(20))) {
                            if (++received > w.values().size() / 3) {
                                ages.add(System.currentTimeMillis()
                                        - dev.streamtrain.ingest.ProducedAt.of(r.headers(), r.timestamp()));
                            }
                        }
                    }
                });
                producer.sendValues(topic, w.values(), Pacer.perSecond(recordsPerSecond));
                try {
                    reading.get(5, TimeUnit.MINUTES);
                } catch (java.util.concurrent.TimeoutException e) {
                    stop.set(true);
                    reading.exceptionally(t -> null).join(); // the consumer is closed only once its reader stopped
                    throw new IllegalStateException("B3: a plain consumer did not receive all " + w.values().size()
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
