package dev.streamtrain.ingest;

import dev.streamtrain.core.events.IngestMetrics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The running totals of the training consumer (records, bytes, decode time, records skipped by reason, minibatches
 * by topic) and their rates between two reports. Used on the verticle's event loop only.
 */
final class IngestCounters {
    private final Map<String, Long> skipped = new TreeMap<>();
    private final Map<String, Long> minibatchesByTopic = new TreeMap<>();
    private long records;
    private long bytes;
    private long decodeNanos;
    private long lastRecords;
    private long lastBytes;
    private long lastDecodeNanos;
    private long lastReportNanos = System.nanoTime();

    /** What one report says about the interval since the previous one. */
    record Interval(long records, long bytes, double recordsPerSecond, double bytesPerSecond, double decodeMicros,
            Map<String, Long> skipped, Map<String, Long> minibatchesByTopic) {
    }

    /** A record was read ({@code valueBytes} long, decoded and checked in {@code nanos}). */
    void read(int valueBytes, long nanos) {
        records++;
        bytes += valueBytes;
        decodeNanos += nanos;
    }

    /** A record was handled without training on it (not data, or held out). */
    void skipped(String reason) {
        skipped.merge(reason, 1L, Long::sum);
    }

    /** A topic is read from now on: it shows in the reports with zero minibatches until it has some. */
    void topic(String topic) {
        minibatchesByTopic.putIfAbsent(topic, 0L);
    }

    /** A minibatch of this topic went to the trainer. */
    void minibatch(String topic) {
        minibatchesByTopic.merge(topic, 1L, Long::sum);
    }

    /** Totals now and rates since the previous call. */
    Interval interval(long nowNanos) {
        double seconds = Math.max(1e-9, (nowNanos - lastReportNanos) / 1e9);
        long newRecords = records - lastRecords;
        Interval out = new Interval(records, bytes, newRecords / seconds, (bytes - lastBytes) / seconds,
                newRecords == 0 ? 0 : (decodeNanos - lastDecodeNanos) / 1e3 / newRecords, Map.copyOf(skipped),
                Map.copyOf(minibatchesByTopic));
        lastReportNanos = nowNanos;
        lastRecords = records;
        lastBytes = bytes;
        lastDecodeNanos = decodeNanos;
        return out;
    }

    /** The metrics event of one interval. */
    static IngestMetrics metrics(String job, List<String> topics, Interval i, int queueDepth, boolean paused,
            Map<String, Long> lag, Map<String, Long> deadLettered) {
        return new IngestMetrics(job, topics, i.records(), i.bytes(), i.recordsPerSecond(), i.bytesPerSecond(),
                queueDepth, paused, i.decodeMicros(), lag, deadLettered, i.skipped(), i.minibatchesByTopic(),
                System.currentTimeMillis());
    }
}
