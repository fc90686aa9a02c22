package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.MiniBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The lanes of weighted interleaving ({@code ingest.interleave: weighted}): one small lane of minibatches per topic
 * between the consumer and the trainer's queue, emptied by weight ({@link TopicMixer}). A topic should pause once
 * {@code capacity} minibatches wait in its lane, and resume once the lane is down to half of that (hysteresis, so a
 * topic at the edge does not pause and resume on every minibatch). Decides only; the caller pauses and resumes the
 * partitions. Single-threaded (the ingest verticle's event loop).
 */
final class TopicLanes {
    private final TopicMixer<MiniBatch> mixer = new TopicMixer<>();
    private final int capacity;
    private final Set<String> paused = new HashSet<>();

    /** @param capacity minibatches waiting in one lane before its topic pauses (>= 2) */
    TopicLanes(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("lane capacity must be >= 2, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds a topic's lane (nothing changes for a known topic). */
    void addTopic(String topic, double weight) {
        mixer.addTopic(topic, weight);
    }

    /** Puts a minibatch in its topic's lane; true when the topic must pause now (its lane just filled up). */
    boolean offer(String topic, MiniBatch batch) {
        mixer.offer(topic, batch);
        return mixer.waiting(topic) >= capacity && paused.add(topic);
    }

    /**
     * Hands minibatches to {@code sink} by weight while {@code room} says so; returns the paused topics whose lanes
     * drained enough to resume (none when {@code mayResume} is false: the reader failed or the end is handed over).
     */
    List<String> drain(BooleanSupplier room, Consumer<MiniBatch> sink, boolean mayResume) {
        MiniBatch next;
        while (room.getAsBoolean() && (next = mixer.next()) != null) {
            sink.accept(next);
        }
        List<String> resumed = new ArrayList<>();
        for (var it = paused.iterator(); mayResume && it.hasNext(); ) {
            String topic = it.next();
            if (mixer.waiting(topic) <= capacity / 2) {
                it.remove();
                resumed.add(topic);
            }
        }
        return resumed;
    }
}
