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
 * when there is one, else by the job's start policy ({@code ingest.start}: earliest, latest, or the group's committed
 * offset). Then notes the end offsets.
 *
 * <p>Explicit assignment, not group subscription: one model is trained by one consumer, so a rebalance could only
 * pause training; and a restart resumes exactly at the committed offsets with no session timeout to wait out.
 */
final class TopicAssignment {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopicAssignment.class);
    /** Readers that always read a topic whole (validation, external metrics): as earliest, without a notice. */
    private static final String BEGINNING = "beginning";
    private TopicAssignment() {
    }

    /** Assigns, seeks and fills the tracker; fails when the topic does not exist. */
    static Future<Set<TopicPartition>> assignAll(KafkaConsumer<?, ?> consumer, String topic,
            boolean useCommitted, PartitionProgressTracker tracker) {
        return partitionsOf(consumer, List.of(topic)).compose(tps -> assign(consumer, Set.of(), tps,
                useCommitted ? "committed" : BEGINNING, Map.of(), tracker).map(tps));
    }

    /** The partitions of the named topics; fails naming a topic that does not exist. */
    static Future<Set<TopicPartition>> partitionsOf(KafkaConsumer<?, ?> consumer, List<String> topics) {
        List<Future<List<PartitionInfo>>> lookups = new ArrayList<>();
        topics.forEach(t -> lookups.add(consumer.partitionsFor(t)));
        return Future.all(lookups).compose(all -> {
            Set<TopicPartition> tps = new HashSet<>();
            for (int i = 0; i < topics.size(); i++) {
                List<PartitionInfo> infos = all.resultAt(i);
                if (infos.isEmpty()) {
                    return Future.failedFuture(new IllegalStateException("topic '" + topics.get(i)
                            + "' does not exist"));
                }
                String topic = topics.get(i);
                infos.forEach(info -> tps.add(new TopicPartition(topic, info.getPartition())));
            }
            return Future.succeededFuture(tps);
        });
    }

    /** The partitions of every existing topic the routes train on (named or matching the pattern). */
    static Future<Set<TopicPartition>> matchingPartitions(KafkaConsumer<?, ?> consumer, TopicRoutes routes) {
        return consumer.listTopics().map(topics -> {
            Set<TopicPartition> tps = new HashSet<>();
            topics.forEach((topic, infos) -> {
                if (routes.matches(topic)) {
                    infos.forEach(info -> tps.add(new TopicPartition(topic, info.getPartition())));
                }
            });
            return tps;
        });
    }

    /** Every partition of the named topics and of the topics matching the pattern, if any. */
    static Future<Set<TopicPartition>> routedPartitions(KafkaConsumer<?, ?> consumer, TopicRoutes routes) {
        Future<Set<TopicPartition>> found = partitionsOf(consumer, routes.namedTopics());
        return !routes.hasPattern() ? found : found.compose(named -> matchingPartitions(consumer, routes)
                .map(matched -> {
                    matched.addAll(named);
                    return matched;
                }));
    }

    /**
     * Assigns the partitions that appeared since: new topics matching the pattern and partitions added to known
     * topics (positioned as {@link #assign} says for partitions added while records flow).
     *
     * @return the added partitions with their start offsets (empty when none appeared)
     */
    static Future<Map<TopicPartition, Long>> assignNew(KafkaConsumer<?, ?> consumer, TopicRoutes routes,
            Set<TopicPartition> current, String start, PartitionProgressTracker tracker) {
        return matchingPartitions(consumer, routes).compose(found -> {
            Set<TopicPartition> added = new HashSet<>(found);
            added.removeAll(current);
            if (!added.isEmpty()) {
                LOG.info("training on new partitions {}", added.stream().map(tp -> tp.getTopic() + "-"
                        + tp.getPartition()).sorted().collect(java.util.stream.Collectors.joining(", ")));
            }
            return assign(consumer, current, added, start, Map.of(), tracker);
        });
    }

    /**
     * Assigns {@code current} plus {@code added} (Kafka keeps the position and pause state of partitions it already
     * had) and positions the added ones; notes their end offsets in the tracker.
     *
     * <p>Before consumption starts ({@code current} empty) the added partitions are positioned by seeking: at
     * {@code startAt}, else the committed offset, else the beginning. Once records flow, a seek would make the
     * Vert.x read stream drop the records it already polled for <em>other</em> partitions, so added partitions are
     * left to the consumer's own rule (committed offset, else {@code auto.offset.reset=earliest}) and only asked
     * for their position.
     */
    static Future<Map<TopicPartition, Long>> assign(KafkaConsumer<?, ?> consumer, Set<TopicPartition> current,
            Set<TopicPartition> added, String start, Map<TopicPartition, Long> startAt,
            PartitionProgressTracker tracker) {
        if (added.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        Set<TopicPartition> all = new HashSet<>(current);
        all.addAll(added);
        return consumer.assign(all)
                .compose(v -> current.isEmpty()
                        ? consumer.beginningOffsets(added).compose(begin -> consumer.endOffsets(added)
                                .compose(end -> positionAll(consumer, added, begin, end, start, startAt)))
                        : positions(consumer, added))
                .compose(starts -> consumer.endOffsets(added).map(ends -> {
                    starts.forEach((tp, at) -> tracker.start(tp, at, ends.get(tp)));
                    return starts;
                }));
    }

    private static Future<Map<TopicPartition, Long>> positions(KafkaConsumer<?, ?> consumer,
            Set<TopicPartition> tps) {
        Map<TopicPartition, Long> starts = new java.util.concurrent.ConcurrentHashMap<>();
        List<Future<Long>> asks = new ArrayList<>();
        tps.forEach(tp -> asks.add(consumer.position(tp).onSuccess(p -> starts.put(tp, p))));
        return Future.all(asks).map(v -> starts);
    }

    /**
     * Seeks each partition: to {@code startAt} (a checkpoint's offset), else by the start policy: {@code earliest}
     * (the beginning), {@code latest} (the end) or {@code committed} (the group's offset, else the beginning).
     */
    private static Future<Map<TopicPartition, Long>> positionAll(KafkaConsumer<?, ?> consumer,
            Set<TopicPartition> tps, Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end, String start,
            Map<TopicPartition, Long> startAt) {
        Map<TopicPartition, Long> starts = new java.util.concurrent.ConcurrentHashMap<>();
        List<Future<Void>> seeks = new ArrayList<>();
        for (TopicPartition tp : tps) {
            Future<OffsetAndMetadata> committed = startAt.containsKey(tp)
                    ? Future.succeededFuture(new OffsetAndMetadata(startAt.get(tp), "checkpoint"))
                    : start.equals("committed") ? consumer.committed(tp) : Future.succeededFuture(null);
            seeks.add(committed.compose(c -> {
                long at = c != null ? Math.max(c.getOffset(), begin.get(tp))
                        : start.equals("latest") ? end.get(tp) : begin.get(tp);
                if (c != null && c.getOffset() < begin.get(tp)) {
                    LOG.warn("{}: records {}..{} were deleted (topic retention) before they were handled; the model"
                            + " never sees them. Keep records longer than the time between checkpoints plus any"
                            + " downtime", tp.getTopic() + "-" + tp.getPartition(), c.getOffset(), begin.get(tp) - 1);
                }
                if (!startAt.containsKey(tp) && !start.equals(BEGINNING)) { // say why: old commits are not trusted
                    LOG.info("{} has no checkpoint offset: reading from offset {} ({}{})", tp.getTopic() + "-"
                            + tp.getPartition(), at, start, c != null ? ": the group's committed offset"
                            : start.equals("committed") ? ": nothing committed, so the beginning" : "");
                }
                starts.put(tp, at);
                return consumer.seek(tp, at);
            }));
        }
        return Future.all(seeks).map(v -> starts);
    }
}
