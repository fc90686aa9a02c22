package dev.streamtrain.app;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.ingest.ExampleAssembler;
import dev.streamtrain.ingest.RecordValidator;
import dev.streamtrain.ingest.TopicRoutes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Feeds a range test from the job's training topics with a plain consumer of its own: every partition of the named
 * topics and of those matching the pattern, from a chosen position, decoded and validated as ingest does (per topic
 * format; example records assembled into minibatches). It never commits: the job's group is only read, for
 * {@code committed}. Bad records are counted by reason and passed over (a range test writes nothing). Bounded
 * positions end at the end offsets seen at the start ({@link EndOfStream}); {@code latest} waits for new records.
 */
final class RangeReader implements Runnable {
    /** Where the reading starts. */
    enum From { EARLIEST, LATEST, COMMITTED }

    /** Minibatches read ahead of the trainer (reading resumes at half). */
    static final int READ_AHEAD = 64;
    private final Map<String, Object> settings;
    private final TopicRoutes routes;
    private final From from;
    private final long last;
    private final int batchSize;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, Long> passedOver = new TreeMap<>();
    private final Object resumed = new Object();
    private final long idleMillis;
    private volatile String startedAt = "";
    private volatile String failure;
    private volatile boolean idle;
    private volatile long records;

    /**
     * @param settings consumer settings (bootstrap servers, the job's group for {@code committed}, pass-through)
     * @param last replay the last {@code last} records of each partition instead (0: off)
     * @param idleMillis {@code latest}: end once no record arrived for this long
     */
    RangeReader(Map<String, Object> settings, TopicRoutes routes, From from, long last, int batchSize,
            long idleMillis) {
        this.idleMillis = idleMillis;
        this.settings = settings;
        this.routes = routes;
        this.from = from;
        this.last = last;
        this.batchSize = batchSize;
        this.queue = new BackPressureQueue<>(READ_AHEAD, READ_AHEAD / 2);
        queue.onResume(() -> {
            synchronized (resumed) {
                resumed.notifyAll();
            }
        });
    }

    /**
     * Reads until stopped, the end offsets seen at the start, or (latest) an idle spell; a failure is kept for
     * {@link #failure} and the trainer always gets its {@link EndOfStream}, so a sweep never waits forever.
     */
    @Override
    public void run() {
        try {
            read();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e instanceof NothingToRead ? e.getMessage() : "reading the training topics failed: "
                    + dev.streamtrain.core.events.Failures.describe(e);
        } finally {
            queue.put(new EndOfStream(Map.of()));
        }
    }

    private void read() throws InterruptedException {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings)) {
            List<TopicPartition> partitions = partitions(consumer);
            if (partitions.isEmpty()) {
                throw new NothingToRead("no training topic of the job exists yet (" + routes.describe()
                        + "); produce to it first");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = position(consumer, partitions);
            var assembler = routes.anyAssembles() ? new ExampleAssembler(batchSize, Long.MAX_VALUE) : null;
            boolean waitForNew = from == From.LATEST && last == 0;
            long lastRecord = System.nanoTime();
            while (!stop.get() && (waitForNew || !reachedEnds(consumer, ends))) {
                var polled = consumer.poll(Duration.ofMillis(100));
                if (!polled.isEmpty()) {
                    lastRecord = System.nanoTime();
                } else if (waitForNew && System.nanoTime() - lastRecord > idleMillis * 1_000_000) {
                    idle = true;
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    records++;
                    var route = routes.routeFor(r.topic());
                    var outcome = route.validator().check(r.value() == null ? new byte[0] : r.value(),
                            new OffsetRange(r.topic(), r.partition(), r.offset(), r.offset()));
                    if (outcome instanceof RecordValidator.Accepted a) {
                        hand(route.assembles() ? assembler.add(a.batch(), System.nanoTime()) : List.of(a.batch()));
                    } else {
                        passedOver.merge(outcome instanceof RecordValidator.Rejected j ? j.reason()
                                : ((RecordValidator.Skipped) outcome).reason(), 1L, Long::sum);
                    }
                }
            }
            if (assembler != null) {
                hand(assembler.flushAll());
            }
        }
    }

    /** The job's topics hold nothing to read; the message says so in the product's words. */
    private static final class NothingToRead extends RuntimeException {
        NothingToRead(String message) {
            super(message, null, false, false);
        }
    }

    /** Why the reading failed, in the product's words, or null. */
    String failure() {
        return failure;
    }

    /** True when {@code latest} ended because no new record came for the idle limit. */
    boolean idle() {
        return idle;
    }

    /** Ends the reading (the sweep is done). */
    void stop() {
        stop.set(true);
        synchronized (resumed) {
            resumed.notifyAll();
        }
    }

    /** The minibatches read, for the trainer. */
    BackPressureQueue<BatchQueueItem> queue() {
        return queue;
    }

    /** Records read so far. */
    long records() {
        return records;
    }

    /** Records passed over (not data, or not valid), by reason. */
    Map<String, Long> passedOver() {
        return Map.copyOf(passedOver);
    }

    /** Where the reading started, in words. */
    String startedAt() {
        return startedAt;
    }

    private void hand(List<MiniBatch> batches) throws InterruptedException {
        for (MiniBatch b : batches) {
            if (queue.put(b)) { // full: wait until the trainer took half (back-pressure, as ingest)
                synchronized (resumed) {
                    while (queue.size() > READ_AHEAD / 2 && !stop.get()) {
                        resumed.wait(100);
                    }
                }
            }
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> out = new ArrayList<>();
        consumer.listTopics().forEach((topic, infos) -> {
            if (routes.namedTopics().contains(topic) || routes.matches(topic)) {
                infos.forEach(i -> out.add(new TopicPartition(i.topic(), i.partition())));
            }
        });
        return out;
    }

    /** Seeks every partition to the start position; returns the end offsets there are now. */
    private Map<TopicPartition, Long> position(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> parts) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(parts);
        Map<TopicPartition, OffsetAndMetadata> committed = from == From.COMMITTED && settings.containsKey("group.id")
                ? consumer.committed(new java.util.HashSet<>(parts)) : Map.of();
        Map<TopicPartition, Long> at = new HashMap<>();
        for (TopicPartition p : parts) {
            long begin = begins.get(p);
            long end = ends.get(p);
            OffsetAndMetadata c = committed.get(p);
            at.put(p, last > 0 ? Math.max(begin, end - last) : switch (from) {
                case EARLIEST -> begin;
                case LATEST -> end;
                case COMMITTED -> c == null ? begin : Math.max(begin, c.offset());
            });
            consumer.seek(p, at.get(p));
        }
        startedAt = last > 0 ? "the last " + last + " records of each partition"
                : from == From.COMMITTED && committed.values().stream().allMatch(java.util.Objects::isNull)
                        ? "the earliest offsets (the job's group has committed none)"
                        : from.name().toLowerCase(java.util.Locale.ROOT) + " offsets";
        return ends;
    }

    private static boolean reachedEnds(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (var e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
