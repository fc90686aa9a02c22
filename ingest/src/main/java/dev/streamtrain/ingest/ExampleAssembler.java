package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles validated one-row examples into minibatches per partition (so each minibatch's offsets form contiguous
 * ranges of one partition): a minibatch is emitted when it reaches {@code batchSize} rows, or when its first example
 * has waited {@code maxWaitNanos} (so a slow topic still trains), or at the end of a bounded run. Pure: the caller
 * passes the time.
 */
public final class ExampleAssembler {
    private final int batchSize;
    private final long maxWaitNanos;
    private final Map<String, Pending> pending = new LinkedHashMap<>();

    private static final class Pending {
        final List<MiniBatch> rows = new ArrayList<>();
        long firstNanos;
    }

    /**
     * @param batchSize rows per minibatch (>= 1)
     * @param maxWaitNanos longest an example waits for its minibatch to fill
     */
    public ExampleAssembler(int batchSize, long maxWaitNanos) {
        if (batchSize < 1 || maxWaitNanos < 0) {
            throw new IllegalArgumentException("need batchSize >= 1 and maxWait >= 0");
        }
        this.batchSize = batchSize;
        this.maxWaitNanos = maxWaitNanos;
    }

    /** How often {@link #flushDue} is worth calling: twice per wait, at most every 5 ms. */
    public long flushEveryMillis() {
        return Math.max(5, maxWaitNanos / 2_000_000);
    }

    /** Adds an example; returns the minibatch it completed, if any. */
    public List<MiniBatch> add(MiniBatch example, long nowNanos) {
        OffsetRange src = example.sources().get(0);
        String key = src.topic() + "-" + src.partition();
        Pending p = pending.computeIfAbsent(key, k -> new Pending());
        List<MiniBatch> out = new ArrayList<>();
        if (!p.rows.isEmpty() && !compatible(p.rows.get(0), example)) {
            out.add(merge(p.rows));
            p.rows.clear();
        }
        if (p.rows.isEmpty()) {
            p.firstNanos = nowNanos;
        }
        p.rows.add(example);
        if (p.rows.size() >= batchSize) {
            out.add(merge(p.rows));
            p.rows.clear();
        }
        return out;
    }

    /** Emits every partial minibatch whose first example waited at least the max wait. */
    public List<MiniBatch> flushDue(long nowNanos) {
        List<MiniBatch> out = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (!p.rows.isEmpty() && nowNanos - p.firstNanos >= maxWaitNanos) {
                out.add(merge(p.rows));
                p.rows.clear();
            }
        }
        return out;
    }

    /** Emits every partial minibatch (end of a bounded run). */
    public List<MiniBatch> flushAll() {
        return flushDue(Long.MAX_VALUE / 2 + maxWaitNanos);
    }

    /** Examples waiting now. */
    public int waiting() {
        return pending.values().stream().mapToInt(p -> p.rows.size()).sum();
    }

    private static boolean compatible(MiniBatch a, MiniBatch b) {
        return a.features() == b.features() && a.hasTargets() == b.hasTargets() && a.targetWidth() == b.targetWidth();
    }

    private static MiniBatch merge(List<MiniBatch> rows) {
        MiniBatch first = rows.get(0);
        int n = rows.size();
        int f = first.features();
        float[] x = new float[n * f];
        List<OffsetRange> sources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows.get(i).x(), 0, x, i * f, f);
            OffsetRange s = rows.get(i).sources().get(0);
            OffsetRange last = sources.isEmpty() ? null : sources.get(sources.size() - 1);
            if (last != null && last.partition() == s.partition() && last.to() + 1 == s.from()) {
                sources.set(sources.size() - 1, new OffsetRange(last.topic(), last.partition(), last.from(), s.to()));
            } else {
                sources.add(s);
            }
        }
        if (first.hasTargets()) {
            int w = first.targetWidth();
            float[] t = new float[n * w];
            for (int i = 0; i < n; i++) {
                System.arraycopy(rows.get(i).targets(), 0, t, i * w, w);
            }
            return MiniBatch.withTargets(n, f, x, t, w, sources).producedAt(MiniBatch.earliestProducedAt(rows));
        }
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = rows.get(i).y()[0];
        }
        return new MiniBatch(n, f, x, y, sources).producedAt(MiniBatch.earliestProducedAt(rows));
    }
}
