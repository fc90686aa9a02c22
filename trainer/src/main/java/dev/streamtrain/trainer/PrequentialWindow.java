package dev.streamtrain.trainer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Prequential ("test-then-train") evaluation (Dawid 1984; Gama et al. 2013, "On evaluating stream learning
 * algorithms"): every training minibatch is scored by the current model before it is trained on, so the scores are
 * honest out-of-sample metrics with no held-out data. Keeps the scored minibatches covering the newest
 * {@code windowRows} rows (a sliding window).
 */
final class PrequentialWindow {
    private final int windowRows;
    private final Deque<Evaluator.Scored> scored = new ArrayDeque<>();
    private int rows;

    PrequentialWindow(int windowRows) {
        this.windowRows = windowRows;
    }

    /** Adds a minibatch scored before training; drops the oldest while the rest still cover the window. */
    void add(Evaluator.Scored s) {
        scored.addLast(s);
        rows += s.batch().rows();
        while (rows - scored.peekFirst().batch().rows() >= windowRows) {
            rows -= scored.pollFirst().batch().rows();
        }
    }

    /** Forgets every score. */
    void clear() {
        scored.clear();
        rows = 0;
    }

    /** The scored minibatches in the window, oldest first. */
    List<Evaluator.Scored> snapshot() {
        return List.copyOf(scored);
    }
}
