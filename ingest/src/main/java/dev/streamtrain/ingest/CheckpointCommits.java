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

    static void commit(KafkaConsumer<byte[], byte[]> consumer, java.util.Set<TopicPartition> assigned, EventBus bus,
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
                .onFailure(e -> LOG.error("committing offsets of checkpoint at update {} failed", saved.update(), e));
    }
}
