package dev.streamtrain.ingest;

import io.vertx.core.Future;
import io.vertx.kafka.client.common.PartitionInfo;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Assigns every partition of a topic to one consumer and positions it: at the offset the resumed checkpoint names
 * when there is one, else at the group's committed offset (resuming where the last run stopped), else at the
 * beginning. Then notes the end offsets.
 *
 * <p>Explicit assignment, not group subscription: one model is trained by one consumer, so a rebalance could only
 * pause training; and a restart resumes exactly at the committed offsets with no session timeout to wait out.
 */
final class TopicAssignment {
    private TopicAssignment() {
    }

    /** Assigns, seeks and fills the tracker; fails when the topic does not exist. */
    static Future<Set<TopicPartition>> assignAll(KafkaConsumer<byte[], byte[]> consumer, String topic,
            boolean useCommitted, PartitionProgressTracker tracker) {
        return assignAll(consumer, topic, useCommitted, Map.of(), tracker);
    }

    /** As above, with start offsets that win over the committed ones (a checkpoint's). */
    static Future<Set<TopicPartition>> assignAll(KafkaConsumer<byte[], byte[]> consumer, String topic,
            boolean useCommitted, Map<TopicPartition, Long> startAt, PartitionProgressTracker tracker) {
        return consumer.partitionsFor(topic).compose(infos -> {
            if (infos.isEmpty()) {
                return Future.failedFuture(new IllegalStateException("topic '" + topic + "' does not exist"));
            }
            Set<TopicPartition> tps = new HashSet<>();
            for (PartitionInfo info : infos) {
                tps.add(new TopicPartition(topic, info.getPartition()));
            }
            return consumer.assign(tps)
                    .compose(v -> consumer.beginningOffsets(tps))
                    .compose(begin -> positionAll(consumer, tps, begin, useCommitted, startAt))
                    .compose(starts -> consumer.endOffsets(tps).map(ends -> {
                        starts.forEach((tp, start) -> tracker.start(tp, start, ends.get(tp)));
                        return tps;
                    }));
        });
    }

    private static Future<Map<TopicPartition, Long>> positionAll(KafkaConsumer<byte[], byte[]> consumer,
            Set<TopicPartition> tps, Map<TopicPartition, Long> begin, boolean useCommitted,
            Map<TopicPartition, Long> startAt) {
        Map<TopicPartition, Long> starts = new java.util.concurrent.ConcurrentHashMap<>();
        List<Future<Void>> seeks = new ArrayList<>();
        for (TopicPartition tp : tps) {
            Future<OffsetAndMetadata> committed = startAt.containsKey(tp)
                    ? Future.succeededFuture(new OffsetAndMetadata(startAt.get(tp), "checkpoint"))
                    : useCommitted ? consumer.committed(tp) : Future.succeededFuture(null);
            seeks.add(committed.compose(c -> {
                long start = c == null ? begin.get(tp) : Math.max(c.getOffset(), begin.get(tp));
                starts.put(tp, start);
                return consumer.seek(tp, start);
            }));
        }
        return Future.all(seeks).map(v -> starts);
    }
}
