package dev.streamtrain.ingest;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Interleaves minibatches of several topics by weight: smooth weighted round-robin (as in nginx's upstream balancer)
 * over the topics that have a minibatch waiting. With weights 3 and 1 and both topics ready, the trainer sees
 * {@code a a b a | a a b a ...}: the shares equal the weights over every window of {@code sum(weights)} picks, with no
 * long runs of one topic. A topic with nothing waiting is passed over (work-conserving: a slow or drained topic never
 * stalls training) and does not bank credit while it is empty. Weights are shares of minibatches, not of rows. Pure and single-threaded (the ingest verticle's event
 * loop).
 *
 * @param <T> item type
 */
final class TopicMixer<T> {
    private static final class Lane<T> {
        final double weight;
        final ArrayDeque<T> items = new ArrayDeque<>();
        double credit;
        long handedOver;

        Lane(double weight) {
            this.weight = weight;
        }
    }

    private final Map<String, Lane<T>> lanes = new LinkedHashMap<>();

    /** Adds a topic (or changes nothing if it is known); weight > 0. */
    void addTopic(String topic, double weight) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("topic weight must be a positive number, got " + weight);
        }
        lanes.putIfAbsent(topic, new Lane<>(weight));
    }

    /** Queues an item of a known topic. */
    void offer(String topic, T item) {
        Lane<T> lane = lanes.get(topic);
        if (lane == null) {
            throw new IllegalArgumentException("unknown topic " + topic);
        }
        lane.items.add(item);
    }

    /** The next item by weight among the topics with items waiting; null when none waits. */
    T next() {
        double total = 0;
        Lane<T> best = null;
        for (Lane<T> lane : lanes.values()) {
            if (lane.items.isEmpty()) {
                lane.credit = Math.min(lane.credit, 0); // an idle topic keeps its debt but saves up no burst
                continue;
            }
            lane.credit += lane.weight;
            total += lane.weight;
            if (best == null || lane.credit > best.credit) {
                best = lane;
            }
        }
        if (best == null) {
            return null;
        }
        best.credit -= total;
        best.handedOver++;
        return best.items.poll();
    }

    /** Items waiting for one topic. */
    int waiting(String topic) {
        Lane<T> lane = lanes.get(topic);
        return lane == null ? 0 : lane.items.size();
    }

    /** Items waiting in all. */
    int waiting() {
        return lanes.values().stream().mapToInt(l -> l.items.size()).sum();
    }

    /** Items handed out so far, per topic. */
    Map<String, Long> handedOver() {
        Map<String, Long> out = new LinkedHashMap<>();
        lanes.forEach((t, l) -> out.put(t, l.handedOver));
        return out;
    }
}
