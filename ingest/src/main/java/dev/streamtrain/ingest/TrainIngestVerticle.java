package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.OffsetsCommitted;
import dev.streamtrain.core.events.PartitionOffset;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.core.wire.WireFormatException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes minibatch records from the training topic and hands them, with their offsets, to the trainer through a
 * {@link BackPressureQueue}; pauses the partitions while the queue is full and resumes at its low-water mark.
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
    private final MiniBatchCodec codec;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final boolean stopAtEnd;
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    private final PartitionProgressTracker tracker = new PartitionProgressTracker();
    private final AtomicLong undecodable = new AtomicLong();
    private KafkaConsumer<byte[], byte[]> consumer;
    private Set<TopicPartition> partitions = Set.of();
    private boolean endHandedOver;

    /**
     * @param job job name (for events)
     * @param topic training topic
     * @param consumerConfig consumer properties, see {@link ConsumerSettings} (must hold a {@code group.id})
     * @param codec minibatch decoder
     * @param queue hand-off to the trainer
     * @param stopAtEnd whether this is a bounded run
     */
    public TrainIngestVerticle(String job, String topic, Map<String, String> consumerConfig, MiniBatchCodec codec,
            BackPressureQueue<BatchQueueItem> queue, boolean stopAtEnd) {
        this(job, topic, consumerConfig, codec, queue, stopAtEnd, java.util.List.of());
    }

    /**
     * @param resumeAt where the resumed checkpoint left off (wins over the committed offsets, which may lag it after a
     *     crash between checkpoint and commit)
     */
    public TrainIngestVerticle(String job, String topic, Map<String, String> consumerConfig, MiniBatchCodec codec,
            BackPressureQueue<BatchQueueItem> queue, boolean stopAtEnd, java.util.List<PartitionOffset> resumeAt) {
        if (!consumerConfig.containsKey("group.id")) {
            throw new IllegalArgumentException("the training consumer needs a group.id to commit offsets");
        }
        this.job = job;
        this.topic = topic;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.codec = codec;
        this.queue = queue;
        this.stopAtEnd = stopAtEnd;
        resumeAt.stream().filter(p -> p.topic().equals(topic))
                .forEach(p -> this.resumeAt.put(new TopicPartition(p.topic(), p.partition()), p.nextOffset()));
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, byte[].class);
        consumer.exceptionHandler(e -> LOG.error("training consumer on {} failed", topic, e));
        var context = vertx.getOrCreateContext();
        queue.onResume(() -> context.runOnContext(v -> consumer.resume(partitions)));
        vertx.eventBus().<CheckpointSaved>consumer(Addresses.CHECKPOINT_SAVED, msg -> commit(msg.body()));
        return TopicAssignment.assignAll(consumer, topic, true, resumeAt, tracker).map(tps -> {
            partitions = tps;
            consumer.handler(this::onRecord);
            handOverEndIfReached();
            return null;
        });
    }

    private void onRecord(KafkaConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        tracker.advance(tp, record.offset());
        try {
            MiniBatch batch = codec.decode(record.value(), OffsetRange.single(record.topic(), record.partition(),
                    record.offset()));
            if (queue.put(batch)) {
                consumer.pause(partitions);
            }
        } catch (WireFormatException e) {
            // Dead-letter publishing is the ingest issue's work; until then the record is counted and skipped.
            undecodable.incrementAndGet();
            LOG.warn("skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
        handOverEndIfReached();
    }

    private void handOverEndIfReached() {
        if (stopAtEnd && !endHandedOver && tracker.reachedEnd()) {
            endHandedOver = true;
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

    /** Records skipped because they could not be decoded. */
    public long undecodableRecords() {
        return undecodable.get();
    }

    @Override
    public Future<?> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.close();
    }
}
