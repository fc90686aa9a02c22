package dev.streamtrain.core.batch;

import java.util.ArrayList;
import java.util.List;

/**
 * The validation examples seen so far on the validation topic, shared between the reader that fills it and the
 * trainer that evaluates on it. Writers append; readers take an immutable snapshot. Bounded: past {@code maxRows}
 * the oldest batches are dropped, so a validation stream that never ends cannot exhaust memory.
 */
public final class ValidationSet {
    private final int maxRows;
    private List<MiniBatch> batches = List.of();
    private int rows;

    /** @param maxRows the most rows kept (oldest batches are dropped first) */
    public ValidationSet(int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        this.maxRows = maxRows;
    }

    /** Appends a batch, dropping the oldest ones beyond the row limit. */
    public synchronized void add(MiniBatch batch) {
        List<MiniBatch> next = new ArrayList<>(batches);
        next.add(batch);
        rows += batch.rows();
        while (rows > maxRows && next.size() > 1) {
            rows -= next.remove(0).rows();
        }
        batches = List.copyOf(next);
    }

    /** An immutable snapshot of the current batches. */
    public synchronized List<MiniBatch> snapshot() {
        return batches;
    }

    /** Rows held now. */
    public synchronized int rows() {
        return rows;
    }
}
