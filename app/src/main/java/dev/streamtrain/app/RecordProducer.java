package dev.streamtrain.app;

import dev.streamtrain.core.wire.MiniBatchCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import dev.streamtrain.core.kafka.ProducerSettings;

/**
 * Writes {@link LabeledRows} to a topic in a {@link RecordFormat}; minibatch records carry {@code batchSize} rows.
 * Used by the demo and by {@code streamtrain produce}.
 */
public final class RecordProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final MiniBatchCodec codec = MiniBatchCodec.standard();

    /**
     * @param bootstrapServers cluster
     * @param userSettings {@code kafka.producer.*} pass-through settings (win over the defaults)
     */
    public RecordProducer(String bootstrapServers, Map<String, String> userSettings) {
        Map<String, Object> p = new HashMap<>(ProducerSettings.of(bootstrapServers, Map.of(
                "acks", "all",
                "linger.ms", "5",
                // minibatch records are tens of KB; random floats do not compress (stack notes)
                "batch.size", String.valueOf(1024 * 1024),
                "max.request.size", String.valueOf(16 * 1024 * 1024),
                "compression.type", "none"), userSettings));
        this.producer = new KafkaProducer<>(p);
    }

    /**
     * Sends all rows and waits until the broker acknowledged them.
     *
     * @param progress called with the number of rows sent so far (may be null)
     * @return records written
     */
    public long send(String topic, LabeledRows rows, RecordFormat format, int batchSize,
            java.util.function.LongConsumer progress) throws InterruptedException, ExecutionException {
        return send(topic, rows, format, batchSize, progress, null);
    }

    /**
     * As above, paced: one record per {@link Pacer#acquire()} (null: as fast as Kafka takes them).
     */
    public long send(String topic, LabeledRows rows, RecordFormat format, int batchSize,
            java.util.function.LongConsumer progress, Pacer pacer) throws InterruptedException, ExecutionException {
        long records = 0;
        int step = format.minibatches() ? batchSize : 1;
        for (int from = 0; from < rows.size(); from += step) {
            if (pacer != null) {
                pacer.acquire();
            }
            int to = Math.min(rows.size(), from + step);
            producer.send(new ProducerRecord<>(topic, value(rows, from, to, format)));
            records++;
            if (progress != null) {
                progress.accept(to);
            }
        }
        producer.flush();
        // a flush waits for every send; a failed one surfaces through the next metadata call
        producer.partitionsFor(topic);
        return records;
    }

    private byte[] value(LabeledRows rows, int from, int to, RecordFormat format) {
        return switch (format) {
            case SAFETENSORS -> codec.encode(to - from, rows.features(), rows.flatFeatures(from, to),
                    rows.labels(from, to));
            case NPZ -> codec.encodeNpz(to - from, rows.features(), rows.flatFeatures(from, to),
                    rows.labels(from, to));
            case JSON -> json(rows.x().get(from), rows.y().get(from)).getBytes(StandardCharsets.UTF_8);
            case CSV -> csv(rows.x().get(from), rows.y().get(from)).getBytes(StandardCharsets.UTF_8);
        };
    }

    /**
     * Sends one CSV header line ({@code f0,...,f<n-1>,label}) as a record, as a producer streaming CSV files would.
     */
    public void sendCsvHeader(String topic, int features) throws InterruptedException, ExecutionException {
        producer.send(new ProducerRecord<>(topic, csvHeader(features).getBytes(StandardCharsets.UTF_8))).get();
    }

    /** The column names {@link #sendCsvHeader} writes. */
    public static String csvHeader(int features) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < features; i++) {
            sb.append('f').append(i).append(',');
        }
        return sb.append("label").toString();
    }

    private static String json(float[] x, long y) {
        StringBuilder sb = new StringBuilder("{\"x\":[");
        for (int i = 0; i < x.length; i++) {
            sb.append(i == 0 ? "" : ",").append(x[i]);
        }
        return sb.append("],\"y\":").append(y).append('}').toString();
    }

    private static String csv(float[] x, long y) {
        StringBuilder sb = new StringBuilder();
        for (float v : x) {
            sb.append(v).append(',');
        }
        return sb.append(y).toString();
    }

    @Override
    public void close() {
        producer.close();
    }
}
