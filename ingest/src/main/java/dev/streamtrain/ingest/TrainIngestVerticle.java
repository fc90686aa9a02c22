package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.DeadLettered;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.PartitionStarted;
import dev.streamtrain.core.batch.Skipped;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestFailed;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.OffsetsCommitted;
import dev.streamtrain.core.events.PartitionOffset;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the training topics ({@link TopicRoutes}: named topics and a pattern, each with its own format), checks
 * each record ({@link RecordValidator}), dead-letters the bad ones with their reason ({@link DeadLetterPublisher}),
 * assembles example records into minibatches ({@link ExampleAssembler}) and hands the minibatches, with their offsets,
 * to the trainer through a {@link BackPressureQueue}.
 *
 * <p>Flow control. With {@code arrival} interleaving, minibatches go to the queue as they arrive and every partition
 * pauses while the queue is full. With {@code weighted} interleaving, each topic has a small lane ({@link TopicMixer});
 * the queue is filled from the lanes by weight whenever it has room, and a topic pauses only while its own lane is
 * full, so a fast topic cannot crowd out a slow one and a slow one never stalls training.
 *
 * <p>Offsets are committed manually, only when the trainer reports a durable checkpoint ({@link
 * Addresses#CHECKPOINT_SAVED}); then {@link Addresses#OFFSETS_COMMITTED} is published. In a bounded run
 * ({@code stopAtEnd}) it hands over {@link EndOfStream} once it has read up to the end offsets noted at start. New
 * topics matching the pattern, and new partitions, are picked up every {@code topicRefreshMillis}.
 */
public final class TrainIngestVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(TrainIngestVerticle.class);

    private final String job;
    private final TopicRoutes routes;
    private final Map<String, String> consumerConfig;
    private final Function<Vertx, DeadLetterPublisher> deadLetterFactory;
    private DeadLetterPublisher deadLetters;
    private int deadLettersInFlight;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final boolean stopAtEnd;
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    private final PartitionProgressTracker tracker = new PartitionProgressTracker();
    private final Map<String, Long> skipped = new TreeMap<>();
    private final Map<String, Long> minibatchesByTopic = new TreeMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    private Set<TopicPartition> partitions = Set.of();
    private boolean endHandedOver;
    private long metricsIntervalMillis = 1000;
    private long refreshIntervalMillis = 30_000;
    private final List<Long> timers = new java.util.ArrayList<>();
    private boolean failOnBadRecord;
    private ExampleAssembler assembler;
    private long assemblyWaitMillis;
    private TopicMixer<MiniBatch> mixer;
    private int laneCapacity;
    private final Set<String> pausedLanes = new HashSet<>();
    private boolean refreshing;
    private boolean consuming;
    private boolean failed;
    private volatile boolean stopping;
    private long records;
    private long bytes;
    private long decodeNanos;
    private long lastRecords;
    private long lastBytes;
    private long lastDecodeNanos;
    private long lastReportNanos = System.nanoTime();

    /**
     * @param job job name (for events)
     * @param routes the training topics and how each is read
     * @param consumerConfig consumer properties, see {@link ConsumerSettings} (must hold a {@code group.id})
     * @param deadLetters creates the dead-letter publisher on this verticle's Vert.x
     * @param queue hand-off to the trainer
     * @param stopAtEnd whether this is a bounded run
     * @param resumeAt where the resumed checkpoint left off (wins over the committed offsets, which may lag it after a
     *     crash between checkpoint and commit)
     */
    public TrainIngestVerticle(String job, TopicRoutes routes, Map<String, String> consumerConfig,
            Function<Vertx, DeadLetterPublisher> deadLetters, BackPressureQueue<BatchQueueItem> queue,
            boolean stopAtEnd, List<PartitionOffset> resumeAt) {
        if (!consumerConfig.containsKey("group.id")) {
            throw new IllegalArgumentException("the training consumer needs a group.id to commit offsets");
        }
        this.job = job;
        this.routes = routes;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.deadLetterFactory = deadLetters;
        this.queue = queue;
        this.stopAtEnd = stopAtEnd;
        resumeAt.stream().filter(p -> routes.matches(p.topic()))
                .forEach(p -> this.resumeAt.put(new TopicPartition(p.topic(), p.partition()), p.nextOffset()));
    }

    /**
     * Assembles one-row example records (JSON/CSV topics) into minibatches of {@code batchSize}, or fewer after
     * {@code maxWaitMillis} (set before deployment).
     */
    public TrainIngestVerticle assembleExamples(int batchSize, long maxWaitMillis) {
        this.assembler = new ExampleAssembler(batchSize, maxWaitMillis * 1_000_000);
        this.assemblyWaitMillis = maxWaitMillis;
        return this;
    }

    /**
     * Interleaves the topics by weight ({@code ingest.interleave: weighted}), each topic pausing once
     * {@code laneCapacity} of its minibatches wait (set before deployment).
     */
    public TrainIngestVerticle interleaveByWeight(int laneCapacity) {
        if (laneCapacity < 2) {
            throw new IllegalArgumentException("lane capacity must be >= 2, got " + laneCapacity);
        }
        this.mixer = new TopicMixer<>();
        this.laneCapacity = laneCapacity;
        return this;
    }

    /** Stops at the first bad record instead of dead-lettering it ({@code ingest.on-error: fail}). */
    public TrainIngestVerticle failOnBadRecord(boolean fail) {
        this.failOnBadRecord = fail;
        return this;
    }

    /** Sets how often {@link IngestMetrics} are published (before deployment; default 1 s). */
    public TrainIngestVerticle metricsEvery(long millis) {
        this.metricsIntervalMillis = millis;
        return this;
    }

    /** Sets how often new topics and partitions are looked for (before deployment; default 30 s). */
    public TrainIngestVerticle topicRefreshEvery(long millis) {
        this.refreshIntervalMillis = millis;
        return this;
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        deadLetters = deadLetterFactory.apply(vertx);
        deadLetters.serveQuarantine(vertx.eventBus()); // the trainer's untrained minibatches go the same way
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, byte[].class);
        consumer.exceptionHandler(e -> {
            if (stopping && e instanceof org.apache.kafka.common.errors.WakeupException) {
                LOG.debug("consumer woken while closing"); // an in-flight lag query, expected
            } else {
                LOG.error("training consumer on {} failed", routes.describe(), e);
            }
        });
        var context = vertx.getOrCreateContext();
        queue.onResume(() -> context.runOnContext(v -> {
            if (mixer == null) {
                consumer.resume(partitions);
            } else {
                drainLanes();
            }
        }));
        vertx.eventBus().<CheckpointSaved>consumer(Addresses.CHECKPOINT_SAVED, msg -> commit(msg.body()));
        Future<Set<TopicPartition>> found = TopicAssignment.partitionsOf(consumer, routes.namedTopics());
        if (routes.hasPattern()) {
            found = found.compose(named -> TopicAssignment.matchingPartitions(consumer, routes).map(matched -> {
                matched.addAll(named);
                return matched;
            }));
        }
        return found.compose(tps -> TopicAssignment.assign(consumer, Set.of(), tps, true, resumeAt, tracker))
                .map(starts -> {
                    Set<TopicPartition> tps = starts.keySet();
                    adopt(starts);
                    if (tps.isEmpty()) {
                        LOG.warn("no topic matches {} yet; looking again every {} ms", routes.describe(),
                                refreshIntervalMillis);
                    }
                    timers.add(vertx.setPeriodic(metricsIntervalMillis, id -> report()));
                    timers.add(vertx.setPeriodic(refreshIntervalMillis, id -> refresh()));
                    if (assembler != null) {
                        timers.add(vertx.setPeriodic(Math.max(5, assemblyWaitMillis / 2),
                                id -> assembler.flushDue(System.nanoTime()).forEach(this::handOver)));
                    }
                    handOverEndIfReached();
                    return null;
                });
    }

    /**
     * Takes newly assigned partitions into the bookkeeping and tells the trainer where each starts, before any of
     * their records (the handler is set only here, once there is something to read).
     */
    private void adopt(Map<TopicPartition, Long> starts) {
        Set<TopicPartition> added = starts.keySet();
        starts.forEach((tp, offset) -> queue.put(new PartitionStarted(tp.getTopic(), tp.getPartition(), offset)));
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        partitions = Set.copyOf(all);
        if (!consuming && !partitions.isEmpty()) {
            consuming = true; // polling with nothing assigned would fail on every poll
            consumer.handler(this::onRecord);
        }
        for (TopicPartition tp : added) {
            minibatchesByTopic.putIfAbsent(tp.getTopic(), 0L);
            if (mixer != null) {
                mixer.addTopic(tp.getTopic(), routes.routeFor(tp.getTopic()).weight());
            }
        }
    }

    /** Assigns topics that appeared since (matching the pattern) and partitions added to known topics. */
    private void refresh() {
        if (refreshing || endHandedOver || failed || stopping) {
            return;
        }
        refreshing = true;
        TopicAssignment.matchingPartitions(consumer, routes).compose(found -> {
            Set<TopicPartition> added = new HashSet<>(found);
            added.removeAll(partitions);
            if (added.isEmpty()) {
                return Future.succeededFuture();
            }
            LOG.info("training on new partitions {}", added.stream().map(tp -> tp.getTopic() + "-" + tp.getPartition())
                    .sorted().collect(Collectors.joining(", ")));
            return TopicAssignment.assign(consumer, partitions, added, true, Map.of(), tracker)
                    .onSuccess(this::adopt);
        }).onComplete(ar -> {
            refreshing = false;
            if (ar.failed() && !stopping) {
                LOG.warn("looking for new topics failed; trying again in {} ms", refreshIntervalMillis, ar.cause());
            }
        });
    }

    private void onRecord(KafkaConsumerRecord<byte[], byte[]> record) {
        if (failed) {
            return; // records fetched before the pause took effect: left uncommitted
        }
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        tracker.advance(tp, record.offset());
        OffsetRange source = OffsetRange.single(record.topic(), record.partition(), record.offset());
        TopicRoutes.Route route = routes.routeFor(record.topic());
        records++;
        bytes += record.value() == null ? 0 : record.value().length;
        long started = System.nanoTime();
        RecordValidator.Outcome outcome;
        try {
            outcome = route.validator().check(record.value(), source);
        } catch (RuntimeException e) {
            outcome = new RecordValidator.Rejected("unexpected", e.toString());
        }
        decodeNanos += System.nanoTime() - started;
        if (outcome instanceof RecordValidator.Accepted accepted) {
            if (route.assembles() && assembler != null) {
                assembler.add(accepted.batch(), System.nanoTime()).forEach(this::handOver);
            } else {
                handOver(accepted.batch());
            }
        } else if (outcome instanceof RecordValidator.Skipped skip) {
            skipped.merge(skip.reason(), 1L, Long::sum);
            putMarker(new Skipped(source, skip.reason()));
        } else if (outcome instanceof RecordValidator.Rejected rejected) {
            if (failOnBadRecord) {
                fail(record, rejected);
                return;
            }
            deadLetter(record, source, rejected);
        }
        handOverEndIfReached();
    }

    /**
     * Writes the record to the dead-letter topic; once the copy is durable the trainer is told the offset is handled.
     * Until then the commit watermark cannot pass it, so a failed write loses nothing (the record is re-read).
     */
    private void deadLetter(KafkaConsumerRecord<byte[], byte[]> record, OffsetRange source,
            RecordValidator.Rejected rejected) {
        deadLettersInFlight++;
        Future<Void> sent = deadLetters.publish(record, rejected.reason(), rejected.message());
        long seen = deadLetters.countOf(rejected.reason());
        if (seen <= 10 || seen % 1000 == 0) { // a flood of bad records must not flood the log
            LOG.warn("dead-lettering {}-{}@{} ({}, #{} of this reason): {}", record.topic(), record.partition(),
                    record.offset(), rejected.reason(), seen, rejected.message());
        }
        sent.onComplete(ar -> {
            deadLettersInFlight--;
            if (ar.succeeded()) {
                putMarker(new DeadLettered(source, rejected.reason()));
            } else {
                LOG.error("could not dead-letter {}-{}@{}: it stays uncommitted and is read again after a restart",
                        record.topic(), record.partition(), record.offset(), ar.cause());
            }
            handOverEndIfReached();
        });
    }

    /**
     * Hands over a handled-but-not-trained marker. Markers bypass the lanes (they cost the trainer nothing) but still
     * count against the queue, so a flood of bad records pauses consumption like a flood of good ones.
     */
    private void putMarker(BatchQueueItem marker) {
        if (queue.put(marker) && mixer == null) {
            consumer.pause(partitions);
        }
    }

    private void handOver(MiniBatch batch) {
        String topic = batch.sources().get(0).topic();
        if (mixer == null) {
            if (enqueue(batch)) {
                consumer.pause(partitions);
            }
            return;
        }
        mixer.offer(topic, batch);
        if (mixer.waiting(topic) >= laneCapacity && pausedLanes.add(topic)) {
            consumer.pause(partitionsOf(topic));
        }
        drainLanes();
    }

    /** Hands a minibatch to the trainer, counted by topic; returns whether the queue reached its high-water mark. */
    private boolean enqueue(MiniBatch batch) {
        minibatchesByTopic.merge(batch.sources().get(0).topic(), 1L, Long::sum);
        return queue.put(batch);
    }

    /** Fills the trainer's queue from the lanes by weight while it has room; resumes lanes that drained. */
    private void drainLanes() {
        drainLanes(false);
    }

    /**
     * As above; {@code all} empties the lanes past the high-water mark (end of a bounded run), still in weighted
     * order.
     */
    private void drainLanes(boolean all) {
        MiniBatch next;
        while ((all || !queue.isPaused()) && (next = mixer.next()) != null) {
            enqueue(next);
        }
        for (var it = pausedLanes.iterator(); it.hasNext(); ) {
            String topic = it.next();
            if (mixer.waiting(topic) <= laneCapacity / 2 && !failed && !endHandedOver) {
                it.remove();
                consumer.resume(partitionsOf(topic));
            }
        }
    }

    private Set<TopicPartition> partitionsOf(String topic) {
        return partitions.stream().filter(tp -> tp.getTopic().equals(topic)).collect(Collectors.toSet());
    }

    private void handOverEndIfReached() {
        if (stopAtEnd && !endHandedOver && deadLettersInFlight == 0 && tracker.reachedEnd()) {
            endHandedOver = true;
            if (assembler != null) {
                assembler.flushAll().forEach(this::handOver);
            }
            consumer.pause(partitions);
            if (mixer != null) {
                drainLanes(true); // no lane is resumed: the end is handed over
            }
            queue.put(new EndOfStream(tracker.nextOffsets()));
        }
    }

    private void commit(CheckpointSaved saved) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionOffset po : saved.offsets()) {
            if (routes.matches(po.topic())) {
                offsets.put(new TopicPartition(po.topic(), po.partition()), new OffsetAndMetadata(po.nextOffset(), ""));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commit(offsets)
                .onSuccess(c -> vertx.eventBus().publish(Addresses.OFFSETS_COMMITTED,
                        new OffsetsCommitted(job, saved.update(), saved.offsets())))
                .onFailure(e -> LOG.error("committing offsets of checkpoint at update {} failed", saved.update(), e));
    }

    private void fail(KafkaConsumerRecord<byte[], byte[]> record, RecordValidator.Rejected rejected) {
        failed = true;
        consumer.pause(partitions);
        IngestFailed event = new IngestFailed(job, record.topic(), record.partition(), record.offset(),
                rejected.reason(), rejected.message());
        LOG.error(event.describe());
        vertx.eventBus().publish(Addresses.INGEST_FAILED, event);
    }

    /** Publishes rates over the last interval and the lag of every assigned partition. */
    private void report() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastReportNanos) / 1e9);
        long newRecords = records - lastRecords;
        double rate = newRecords / seconds;
        double byteRate = (bytes - lastBytes) / seconds;
        double decodeMicros = newRecords == 0 ? 0 : (decodeNanos - lastDecodeNanos) / 1e3 / newRecords;
        lastReportNanos = now;
        lastRecords = records;
        lastBytes = bytes;
        lastDecodeNanos = decodeNanos;
        long total = records;
        long totalBytes = bytes;
        Map<String, Long> skippedNow = Map.copyOf(skipped);
        Map<String, Long> byTopic = Map.copyOf(minibatchesByTopic);
        List<String> topics = partitions.stream().map(TopicPartition::getTopic).distinct().sorted().toList();
        consumer.endOffsets(partitions).onSuccess(ends -> {
            Map<String, Long> next = tracker.nextOffsets();
            Map<String, Long> lag = new HashMap<>();
            ends.forEach((tp, end) -> {
                String key = tp.getTopic() + "-" + tp.getPartition();
                lag.put(key, Math.max(0, end - next.getOrDefault(key, 0L)));
            });
            vertx.eventBus().publish(Addresses.INGEST_METRICS, new IngestMetrics(job, topics, total, totalBytes, rate,
                    byteRate, queue.size(), queue.isPaused(), decodeMicros, lag, deadLetteredByReason(), skippedNow,
                    byTopic, System.currentTimeMillis()));
        });
    }

    /** Dead-lettered records so far, by reason. */
    public Map<String, Long> deadLetteredByReason() {
        return deadLetters == null ? Map.of() : deadLetters.countsByReason();
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        timers.forEach(vertx::cancelTimer); // before close: a consumer call after close leaks a thread
        Future<Void> dlq = deadLetters == null ? Future.succeededFuture() : deadLetters.close();
        return consumer == null ? dlq : Future.all(dlq, consumer.close());
    }
}
