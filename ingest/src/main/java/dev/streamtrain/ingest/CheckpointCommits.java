package dev.streamtrain.ingest;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.OffsetsCommitted;
import dev.streamtrain.core.events.PartitionOffset;
import io.vertx.core.eventbus.EventBus;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the offsets a durable checkpoint names, for the partitions this reader is assigned only (a checkpoint may
 * name topics read by someone else, or a partition of a topic deleted since: committing it would fail the whole
 * commit), and publishes {@link Addresses#OFFSETS_COMMITTED} once Kafka has them. Offsets are committed only
 * here: the commit must never pass a record whose training is not in a durable checkpoint.
 */
final class CheckpointCommits {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointCommits.class);

    private CheckpointCommits() {
    }

    static void commit(KafkaConsumer<?, ?> consumer, java.util.Set<TopicPartition> assigned, EventBus bus,
            String job, CheckpointSaved saved) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionOffset po : saved.offsets()) {
            TopicPartition tp = new TopicPartition(po.topic(), po.partition());
            if (assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(po.nextOffset(), ""));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commit(offsets)
                .onSuccess(c -> bus.publish(Addresses.OFFSETS_COMMITTED,
                        new OffsetsCommitted(job, saved.update(), saved.offsets())))
                .onFailure(e -> notCommitted(saved.update(), e));
    }

    /**
     * A commit that failed loses nothing (a restart resumes from the checkpoint's own offsets, and the next checkpoint
     * commits past these), so it is a line in the product's words, not a stack trace: a reader being closed wakes its
     * consumer up in the middle of the commit (a job's end), anything else is worth a warning.
     */
    private static void notCommitted(long update, Throwable e) {
        if (e instanceof org.apache.kafka.common.errors.WakeupException
                || e instanceof org.apache.kafka.common.errors.InterruptException) {
            LOG.info("the offsets of the checkpoint at update {} were not committed: the reader was closing (a restart"
                    + " resumes from the checkpoint itself)", update);
        } else {
            LOG.warn("committing the offsets of the checkpoint at update {} failed ({}); the next checkpoint commits"
                    + " past them, and a restart resumes from the checkpoint itself", update,
                    dev.streamtrain.core.events.Failures.describe(e));
        }
    }
}
