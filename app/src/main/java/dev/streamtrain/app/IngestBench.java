package dev.streamtrain.app;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.TrainingPosition;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * B2: ingest alone — the training reader verticle decoding and validating every record and handing the minibatches
 * to a queue that a thread drains at once (no training) — against the plain {@link KafkaConsumer} poll loop a user
 * would write, reading the same topic with the same consumer settings and touching nothing but the value sizes.
 * Megabytes of record values per second, each timed from its first record to the end of the topic.
 */
final class IngestBench {
    /**
     * @param ingestMBPerSecond median MB/s of the training reader
     * @param plainConsumerMBPerSecond median MB/s of the plain poll loop
     */
    record Result(double ingestMBPerSecond, double plainConsumerMBPerSecond) {
        @com.fasterxml.jackson.annotation.JsonProperty("ratio")
        double ratio() {
            return ingestMBPerSecond / plainConsumerMBPerSecond;
        }
    }

    /**
     * B2 rounds per bench round. One B2 round reads the topic in well under a second, so a neighbour's burst on a
     * shared 2-core machine swings a round by 2–5× (measured): three times as many rounds keep the medians steady
     * for a few seconds more.
     */
    static final int ROUNDS_PER_ROUND = 3;

    private IngestBench() {
    }

    /** Warm-up, then {@code rounds} interleaved rounds of both readers over the workload's topic; medians. */
    static Result run(String bootstrapServers, PipelineBench.Workload w, int rounds, java.nio.file.Path scratch)
            throws Exception {
        long bytes = w.values().stream().mapToLong(v -> v.length).sum();
        plain(bootstrapServers, w.topic(), w.values().size());
        reader(bootstrapServers, w, "warm-up", scratch);
        List<Double> plain = new ArrayList<>();
        List<Double> ingest = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            plain.add(bytes / 1e6 / plain(bootstrapServers, w.topic(), w.values().size()));
            ingest.add(bytes / 1e6 / reader(bootstrapServers, w, String.valueOf(round), scratch));
        }
        return new Result(PipelineBench.median(ingest), PipelineBench.median(plain));
    }

    /** Seconds for a plain consumer to read {@code records} records of partition 0 from the beginning. */
    private static double plain(String bootstrapServers, String topic, int records) {
        try (var consumer = PipelineBench.plainConsumer(bootstrapServers, topic, false)) {
            long read = 0;
            long sizes = 0;
            long first = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (read < records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("B2: a plain consumer read " + read + " of " + records
                            + " records in 5 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    first = read++ == 0 ? System.nanoTime() : first;
                    sizes += r.value().length; // touched, as a user's loop would
                }
            }
            if (sizes == 0) {
                throw new IllegalStateException("the plain consumer read no bytes");
            }
            return (System.nanoTime() - first) / 1e9;
        }
    }

    /** Seconds for the training reader to hand over the whole topic (the first minibatch to the end of stream). */
    private static double reader(String bootstrapServers, PipelineBench.Workload w, String name,
            java.nio.file.Path scratch) throws Exception {
        JobConfig cfg = PipelineBench.job("ingest-" + name, bootstrapServers, w.topic(), scratch);
        BackPressureQueue<BatchQueueItem> queue = cfg.ingest().newQueue();
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            var reader = Pipeline.trainIngest(cfg, bootstrapServers, List.of(), queue, TrainingPosition.NONE);
            vertx.deployVerticle(reader).await(60, TimeUnit.SECONDS);
            long first = 0;
            long rows = 0;
            while (true) {
                BatchQueueItem item = queue.poll(60, TimeUnit.SECONDS);
                if (item == null) {
                    throw new IllegalStateException("ingest stalled after " + rows + " rows");
                }
                if (item instanceof MiniBatch b) {
                    first = rows == 0 ? System.nanoTime() : first;
                    rows += b.rows();
                } else if (item instanceof EndOfStream) {
                    break;
                }
            }
            if (rows != w.samples()) {
                throw new IllegalStateException("ingest handed over " + rows + " of " + w.samples() + " rows");
            }
            return (System.nanoTime() - first) / 1e9;
        } finally {
            vertx.close().await(60, TimeUnit.SECONDS);
        }
    }
}
