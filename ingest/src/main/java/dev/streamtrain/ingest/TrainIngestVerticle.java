package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.DeadLettered;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.PartitionStarted;
import dev.streamtrain.core.batch.Skipped;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestFailed;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.PartitionOffset;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the training topics ({@link TopicRoutes}: named topics and a pattern, each with its own format), checks
 * each record ({@link RecordValidator}, off the event loop while the next poll is under way: {@link DecodeStage}),
 * dead-letters the bad ones with their reason ({@link DeadLetterPublisher}), assembles example records into
 * minibatches ({@link ExampleAssembler}) and hands the minibatches, with their offsets, to the trainer through a
 * {@link BackPressureQueue}.
 *
 * <p>Flow control. With {@code arrival} interleaving, minibatches go to the queue as they arrive and every partition
 * pauses while the queue is full. With {@code weighted} interleaving, each topic has a small lane ({@link TopicLanes});
 * the queue is filled from the lanes by weight whenever it has room, and a topic pauses only while its own lane is
 * full, so a fast topic cannot crowd out a slow one and a slow one never stalls training.
 *
 * <p>Offsets are committed manually, only when the trainer reports a durable checkpoint ({@link
 * Addresses#CHECKPOINT_SAVED}); then {@link Addresses#OFFSETS_COMMITTED} is published. In a bounded run
 * ({@code stopAtEnd}) it hands over {@link EndOfStream} once it has read up to the end offsets noted at start. New
 * topics matching the pattern, and new partitions, are picked up every {@code topicRefreshMillis}. With
 * {@link #holdOut}, the records whose key {@link HoldOut} selects fill a validation set instead of training.
 */
public final class TrainIngestVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(TrainIngestVerticle.class);

    private final String job;
    private final TopicRoutes routes;
    private final Map<String, String> consumerConfig;
    private final Function<Vertx, DeadLetterPublisher> deadLetterFactory;
    private DeadLetterPublisher deadLetters;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final boolean stopAtEnd;
    private final Map<TopicPartition, Long> resumeAt = new java.util.HashMap<>();
    private String start = "committed";
    /** Offsets with no record (transaction markers, aborted or compacted records) are handled, as skipped. */
    private final PartitionProgressTracker tracker = new PartitionProgressTracker(
            gap -> putMarker(new Skipped(gap, Skipped.NO_RECORD)));
    private final IngestCounters counters = new IngestCounters();
    private KafkaConsumer<byte[], ByteBuffer> consumer;
    private DecodeStage decoding;
    private Set<TopicPartition> partitions = Set.of();
    private boolean endHandedOver;
    private long metricsIntervalMillis = 1000;
    private long refreshIntervalMillis = 30_000;
    private final List<Long> timers = new java.util.ArrayList<>();
    private boolean failOnBadRecord;
    private ExampleAssembler assembler;
    private TopicLanes lanes;
    private boolean refreshing;
    private boolean consuming;
    private boolean failed;
    private volatile boolean stopping;
    private HoldOut holdOut;
    private ValidationSet heldOut;

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
        return this;
    }

    /**
     * Interleaves the topics by weight ({@code ingest.interleave: weighted}), each topic pausing once
     * {@code laneCapacity} of its minibatches wait (set before deployment).
     */
    public TrainIngestVerticle interleaveByWeight(int laneCapacity) {
        this.lanes = new TopicLanes(laneCapacity);
        return this;
    }

    /**
     * Holds out the records whose key {@link HoldOut} selects ({@code validation.sources: [holdout]}; before
     * deployment): checked like any record (a bad one is dead-lettered), their rows go to {@code into}, not training,
     * one record at a time (never assembled); the trainer gets {@link Skipped} ({@value HoldOut#REASON}).
     *
     * @param fraction share of keys held out, in (0, 0.5]
     * @param into the held-out rows, for evaluation (bounded by {@code validation.holdout-max-rows})
     */
    public TrainIngestVerticle holdOut(double fraction, ValidationSet into) {
        this.holdOut = new HoldOut(fraction);
        this.heldOut = java.util.Objects.requireNonNull(into, "into");
        return this;
    }

    /** Records a resumed checkpoint already handled above its commit offsets: passed over, not read again. */
    public TrainIngestVerticle passOver(List<OffsetRange> handled) {
        tracker.handledBefore(handled);
        return this;
    }

    /** Where partitions without a checkpoint offset start: earliest, latest or committed (the default here). */
    public TrainIngestVerticle startAt(String policy) {
        this.start = policy;
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
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, ByteBuffer.class)
                .pollTimeout(ConsumerSettings.POLL_TIMEOUT);
        ReadHolds holds = new ReadHolds(consumer::pause, consumer::resume);
        decoding = new DecodeStage(vertx, holds);
        // a backlog of dead letters (a broker outage) stops the whole read stream, whatever the partitions' state;
        // the end of a bounded run waits for every write in flight
        deadLetters.onBacklog(() -> holds.hold("dead-letter backlog"), () -> holds.release("dead-letter backlog"),
                this::handOverEndIfReached);
        consumer.exceptionHandler(e -> {
            if (stopping && e instanceof org.apache.kafka.common.errors.WakeupException) {
                LOG.debug("consumer woken while closing"); // an in-flight lag query, expected
            } else {
                LOG.error("training consumer on {} failed", routes.describe(), e);
            }
        });
        var context = vertx.getOrCreateContext();
        queue.onResume(() -> context.runOnContext(v -> resumeReading()));
        vertx.eventBus().<dev.streamtrain.core.events.CheckpointSaved>consumer(Addresses.CHECKPOINT_SAVED,
                msg -> CheckpointCommits.commit(consumer, partitions, vertx.eventBus(), job, msg.body()));
        return TopicAssignment.routedPartitions(consumer, routes)
                .compose(tps -> TopicAssignment.assign(consumer, Set.of(), tps, start, resumeAt, tracker))
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
                        timers.add(vertx.setPeriodic(assembler.flushEveryMillis(),
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
            consumer.batchHandler(records -> decoding.submit(records, routes, this::onRecord));
        }
        for (TopicPartition tp : added) {
            counters.topic(tp.getTopic());
            if (lanes != null) {
                lanes.addTopic(tp.getTopic(), routes.routeFor(tp.getTopic()).weight());
            }
        }
    }

    /** Assigns topics that appeared since (matching the pattern) and partitions added to known topics. */
    private void refresh() {
        if (refreshing || endHandedOver || failed || stopping) {
            return;
        }
        refreshing = true;
        TopicAssignment.assignNew(consumer, routes, partitions, start, tracker).onSuccess(this::adopt).onComplete(ar -> {
            refreshing = false;
            if (ar.failed() && !stopping) {
                LOG.warn("looking for new topics failed; trying again in {} ms", refreshIntervalMillis, ar.cause());
            }
        });
    }

    private void onRecord(DecodeStage.Decoded decoded) {
        KafkaConsumerRecord<byte[], ByteBuffer> record = decoded.record();
        if (failed || stopping) {
            return; // records fetched before the pause took effect: left uncommitted
        }
        if (tracker.advance(new TopicPartition(record.topic(), record.partition()), record.offset())) {
            handOverEndIfReached(); // handled before a restart (the resumed checkpoint says so): passed over
            return;
        }
        OffsetRange source = OffsetRange.single(record.topic(), record.partition(), record.offset());
        TopicRoutes.Route route = decoded.route();
        RecordValidator.Outcome outcome = decoded.outcome();
        counters.read(dev.streamtrain.core.wire.Bytes.size(record.value()), decoded.nanos());
        if (outcome instanceof RecordValidator.Accepted accepted) {
            if (holdOut != null && holdOut.holdsOut(record.key())) {
                heldOut.add(accepted.batch()); // per record, before assembly: a held-out row never joins a minibatch
                counters.skipped(HoldOut.REASON);
                putMarker(new Skipped(source, HoldOut.REASON));
            } else if (route.assembles() && assembler != null) {
                assembler.add(accepted.batch(), decoded.startedNanos()).forEach(this::handOver);
            } else {
                handOver(accepted.batch());
            }
        } else if (outcome instanceof RecordValidator.Skipped skip) {
            counters.skipped(skip.reason());
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

    /** Dead-letters the record; only once the copy is durable is its offset handled (a failed write is re-read). */
    private void deadLetter(KafkaConsumerRecord<byte[], ByteBuffer> record, OffsetRange source,
            RecordValidator.Rejected rejected) {
        // by its source, not the record: a waiting write must not keep its fetch buffer alive (see publishView)
        deadLetters.publishView(record, rejected.reason(), rejected.message()).onComplete(ar -> {
            if (ar.succeeded()) {
                putMarker(new DeadLettered(source, rejected.reason()));
            } else {
                LOG.error("could not dead-letter {}-{}@{}: it stays uncommitted and is read again after a restart",
                        source.topic(), source.partition(), source.from(), ar.cause());
            }
            handOverEndIfReached();
        });
    }

    /** Reads on (the queue has room), unless the end was handed over or a record failed. */
    private void resumeReading() {
        if (!queue.isPaused() && !endHandedOver && !failed) {
            if (lanes == null) {
                consumer.resume(partitions);
            } else {
                drainLanes(false);
            }
        }
    }

    /** Hands over a marker: it bypasses the lanes but counts against the queue (a flood of bad records pauses). */
    private void putMarker(BatchQueueItem marker) {
        if (queue.put(marker) && lanes == null) {
            consumer.pause(partitions);
        }
    }

    private void handOver(MiniBatch batch) {
        String topic = batch.sources().get(0).topic();
        if (lanes == null) {
            if (enqueue(batch)) {
                consumer.pause(partitions);
            }
            return;
        }
        if (lanes.offer(topic, batch)) {
            consumer.pause(partitionsOf(topic));
        }
        drainLanes(false);
    }

    /** Hands a minibatch to the trainer, counted by topic; returns whether the queue reached its high-water mark. */
    private boolean enqueue(MiniBatch batch) {
        counters.minibatch(batch.sources().get(0).topic());
        return queue.put(batch);
    }

    /** Fills the queue from the lanes by weight while it has room (or all, at the end); resumes drained topics. */
    private void drainLanes(boolean all) {
        lanes.drain(() -> all || !queue.isPaused(), this::enqueue, !failed && !endHandedOver)
                .forEach(topic -> consumer.resume(partitionsOf(topic)));
    }

    private Set<TopicPartition> partitionsOf(String topic) {
        return partitions.stream().filter(tp -> tp.getTopic().equals(topic)).collect(Collectors.toSet());
    }

    private void handOverEndIfReached() {
        if (stopAtEnd && !endHandedOver && !stopping && deadLetters.inFlight() == 0 && tracker.reachedEnd()) {
            endHandedOver = true;
            if (assembler != null) {
                assembler.flushAll().forEach(this::handOver);
            }
            consumer.pause(partitions);
            if (lanes != null) {
                drainLanes(true); // no lane is resumed: the end is handed over
            }
            queue.put(new EndOfStream(tracker.nextOffsets()));
        }
    }

    private void fail(KafkaConsumerRecord<byte[], ByteBuffer> record, RecordValidator.Rejected rejected) {
        failed = true;
        consumer.pause(partitions);
        IngestFailed event = new IngestFailed(job, record.topic(), record.partition(), record.offset(),
                rejected.reason(), rejected.message());
        LOG.error(event.describe());
        vertx.eventBus().publish(Addresses.INGEST_FAILED, event);
    }

    /** Publishes rates and lags; a bounded run asks where partitions short of their end are (markers, gaps). */
    private void report() {
        // paused or decoding, the position passes records polled but not delivered: never report those as gaps
        if (stopAtEnd && !endHandedOver && !deadLetters.backlogged() && !queue.isPaused() && !decoding.busy()) {
            tracker.probeEnds(consumer, this::handOverEndIfReached);
        }
        IngestCounters.Interval interval = counters.interval(System.nanoTime());
        List<String> topics = partitions.stream().map(TopicPartition::getTopic).distinct().sorted().toList();
        consumer.endOffsets(partitions).onSuccess(ends -> vertx.eventBus().publish(Addresses.INGEST_METRICS,
                IngestCounters.metrics(job, topics, interval, queue.size(), queue.isPaused(), tracker.lag(ends),
                        deadLetteredByReason())));
    }

    /** Dead-lettered records so far, by reason. */
    public Map<String, Long> deadLetteredByReason() {
        return deadLetters == null ? Map.of() : deadLetters.countsByReason();
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        timers.forEach(vertx::cancelTimer); // before close: a consumer call after close leaks a thread
        if (decoding != null) {
            decoding.close(); // and no resume after this
        }
        Future<Void> dlq = deadLetters == null ? Future.succeededFuture() : deadLetters.close();
        return consumer == null ? dlq : Future.all(dlq, consumer.close());
    }
}
