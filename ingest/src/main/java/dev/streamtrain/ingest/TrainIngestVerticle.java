package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.DeadLettered;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.OffsetRange;
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
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes minibatch records from the training topic, checks each ({@link RecordValidator}), dead-letters the bad
 * ones with their reason ({@link DeadLetterPublisher}) and hands the good ones, with their offsets, to the trainer
 * through a {@link BackPressureQueue}; pauses the partitions while the queue is full and resumes at its low-water mark.
 *
 * <p>Offsets are committed manually, only when the trainer reports a durable checkpoint ({@link
 * Addresses#CHECKPOINT_SAVED}); then {@link Addresses#OFFSETS_COMMITTED} is published. In a bounded run
 * ({@code stopAtEnd}) it hands over {@link EndOfStream} once it has read up to the end offsets noted at start.
 */
public final class TrainIngestVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(TrainIngestVerticle.class);

    private final String job;
    private final String topic;
    private final Map<String, String> consumerConfig;
    private final RecordValidator validator;
    private final java.util.function.Function<Vertx, DeadLetterPublisher> deadLetterFactory;
    private DeadLetterPublisher deadLetters;
    private int deadLettersInFlight;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final boolean stopAtEnd;
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    private final PartitionProgressTracker tracker = new PartitionProgressTracker();
    private KafkaConsumer<byte[], byte[]> consumer;
    private Set<TopicPartition> partitions = Set.of();
    private boolean endHandedOver;
    private long metricsIntervalMillis = 1000;
    private long metricsTimer = -1;
    private boolean failOnBadRecord;
    private ExampleAssembler assembler;
    private long assemblyTimer = -1;
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
     * @param topic training topic
     * @param consumerConfig consumer properties, see {@link ConsumerSettings} (must hold a {@code group.id})
     * @param validator decodes and checks each record
     * @param deadLetters creates the dead-letter publisher on this verticle's Vert.x
     * @param queue hand-off to the trainer
     * @param stopAtEnd whether this is a bounded run
     * @param resumeAt where the resumed checkpoint left off (wins over the committed offsets, which may lag it after a
     *     crash between checkpoint and commit)
     */
    public TrainIngestVerticle(String job, String topic, Map<String, String> consumerConfig, RecordValidator validator,
            java.util.function.Function<Vertx, DeadLetterPublisher> deadLetters, BackPressureQueue<BatchQueueItem> queue,
            boolean stopAtEnd, java.util.List<PartitionOffset> resumeAt) {
        if (!consumerConfig.containsKey("group.id")) {
            throw new IllegalArgumentException("the training consumer needs a group.id to commit offsets");
        }
        this.job = job;
        this.topic = topic;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.validator = validator;
        this.deadLetterFactory = deadLetters;
        this.queue = queue;
        this.stopAtEnd = stopAtEnd;
        resumeAt.stream().filter(p -> p.topic().equals(topic))
                .forEach(p -> this.resumeAt.put(new TopicPartition(p.topic(), p.partition()), p.nextOffset()));
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        deadLetters = deadLetterFactory.apply(vertx);
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, byte[].class);
        consumer.exceptionHandler(e -> {
            if (stopping && e instanceof org.apache.kafka.common.errors.WakeupException) {
                LOG.debug("consumer on {} woken while closing", topic); // an in-flight lag query, expected
            } else {
                LOG.error("training consumer on {} failed", topic, e);
            }
        });
        var context = vertx.getOrCreateContext();
        queue.onResume(() -> context.runOnContext(v -> consumer.resume(partitions)));
        vertx.eventBus().<CheckpointSaved>consumer(Addresses.CHECKPOINT_SAVED, msg -> commit(msg.body()));
        return TopicAssignment.assignAll(consumer, topic, true, resumeAt, tracker).map(tps -> {
            partitions = tps;
            metricsTimer = vertx.setPeriodic(metricsIntervalMillis, id -> report());
            if (assembler != null) {
                assemblyTimer = vertx.setPeriodic(Math.max(5, assemblyWaitMillis / 2),
                        id -> assembler.flushDue(System.nanoTime()).forEach(this::handOver));
            }
            consumer.handler(this::onRecord);
            handOverEndIfReached();
            return null;
        });
    }

    private void onRecord(KafkaConsumerRecord<byte[], byte[]> record) {
        if (failed) {
            return; // records fetched before the pause took effect: left uncommitted
        }
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        tracker.advance(tp, record.offset());
        OffsetRange source = OffsetRange.single(record.topic(), record.partition(), record.offset());
        records++;
        bytes += record.value() == null ? 0 : record.value().length;
        long started = System.nanoTime();
        RecordValidator.Outcome outcome;
        try {
            outcome = validator.check(record.value(), source);
        } catch (RuntimeException e) {
            outcome = new RecordValidator.Rejected("unexpected", e.toString());
        }
        decodeNanos += System.nanoTime() - started;
        if (outcome instanceof RecordValidator.Accepted accepted) {
            if (assembler == null) {
                handOver(accepted.batch());
            } else {
                assembler.add(accepted.batch(), System.nanoTime()).forEach(this::handOver);
            }
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
                if (queue.put(new DeadLettered(source, rejected.reason()))) {
                    consumer.pause(partitions);
                }
            } else {
                LOG.error("could not dead-letter {}-{}@{}: it stays uncommitted and is read again after a restart",
                        record.topic(), record.partition(), record.offset(), ar.cause());
            }
            handOverEndIfReached();
        });
    }

    private void handOver(MiniBatch batch) {
        if (queue.put(batch)) {
            consumer.pause(partitions);
        }
    }

    private void handOverEndIfReached() {
        if (stopAtEnd && !endHandedOver && deadLettersInFlight == 0 && tracker.reachedEnd()) {
            endHandedOver = true;
            if (assembler != null) {
                assembler.flushAll().forEach(this::handOver);
            }
            consumer.pause(partitions);
            queue.put(new EndOfStream(tracker.nextOffsets()));
        }
    }

    private void commit(CheckpointSaved saved) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionOffset po : saved.offsets()) {
            if (po.topic().equals(topic)) {
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

    private long assemblyWaitMillis;

    /**
     * Assembles one-row example records (JSON/CSV) into minibatches of {@code batchSize}, or fewer after
     * {@code maxWaitMillis} (set before deployment; batch size 0: records are minibatches, no assembly).
     */
    public TrainIngestVerticle assembleExamples(int batchSize, long maxWaitMillis) {
        if (batchSize == 0) {
            this.assembler = null; // minibatch records: no assembly
            return this;
        }
        this.assembler = new ExampleAssembler(batchSize, maxWaitMillis * 1_000_000);
        this.assemblyWaitMillis = maxWaitMillis;
        return this;
    }

    /** Stops at the first bad record instead of dead-lettering it ({@code ingest.on-error: fail}). */
    public TrainIngestVerticle failOnBadRecord(boolean fail) {
        this.failOnBadRecord = fail;
        return this;
    }

    private void fail(KafkaConsumerRecord<byte[], byte[]> record, RecordValidator.Rejected rejected) {
        failed = true;
        consumer.pause(partitions);
        IngestFailed event = new IngestFailed(job, record.topic(), record.partition(), record.offset(),
                rejected.reason(), rejected.message());
        LOG.error(event.describe());
        vertx.eventBus().publish(Addresses.INGEST_FAILED, event);
    }

    /** Sets how often {@link IngestMetrics} are published (before deployment; default 1 s). */
    public TrainIngestVerticle metricsEvery(long millis) {
        this.metricsIntervalMillis = millis;
        return this;
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
        consumer.endOffsets(partitions).onSuccess(ends -> {
            Map<String, Long> next = tracker.nextOffsets();
            Map<String, Long> lag = new HashMap<>();
            ends.forEach((tp, end) -> {
                String key = tp.getTopic() + "-" + tp.getPartition();
                lag.put(key, Math.max(0, end - next.getOrDefault(key, 0L)));
            });
            vertx.eventBus().publish(Addresses.INGEST_METRICS, new IngestMetrics(job, topic, total, totalBytes, rate,
                    byteRate, queue.size(), queue.isPaused(), decodeMicros, lag, deadLetteredByReason(),
                    System.currentTimeMillis()));
        });
    }

    /** Dead-lettered records so far, by reason. */
    public Map<String, Long> deadLetteredByReason() {
        return deadLetters == null ? Map.of() : deadLetters.countsByReason();
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        if (metricsTimer >= 0) {
            vertx.cancelTimer(metricsTimer); // before close: a consumer call after close leaks a thread
        }
        if (assemblyTimer >= 0) {
            vertx.cancelTimer(assemblyTimer);
        }
        Future<Void> dlq = deadLetters == null ? Future.succeededFuture() : deadLetters.close();
        return consumer == null ? dlq : Future.all(dlq, consumer.close());
    }
}
