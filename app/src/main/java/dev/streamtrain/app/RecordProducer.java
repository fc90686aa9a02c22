package dev.streamtrain.app;

import dev.streamtrain.core.batch.MiniBatch;
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
            producer.send(stamped(new ProducerRecord<>(topic, RecordEncoder.encode(rows, from, to, format))));
            records++;
            if (progress != null) {
                progress.accept(to);
            }
        }
        return flushed(topic, records);
    }

    /**
     * Sends ready-made record values in order, paced (null: as fast as Kafka takes them), and waits until the broker
     * acknowledged them.
     *
     * @return records written
     */
    public long sendValues(String topic, java.util.List<byte[]> values, Pacer pacer)
            throws InterruptedException, ExecutionException {
        for (byte[] value : values) {
            if (pacer != null) {
                pacer.acquire();
            }
            producer.send(stamped(new ProducerRecord<>(topic, value)));
        }
        return flushed(topic, values.size());
    }

    /** Stamps the send time ({@value MiniBatch#PRODUCED_AT}): ingest measures each example's age from it. */
    static ProducerRecord<byte[], byte[]> stamped(ProducerRecord<byte[], byte[]> record) {
        record.headers().add(MiniBatch.PRODUCED_AT,
                Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII));
        return record;
    }

    private long flushed(String topic, long records) {
        producer.flush();
        // a flush waits for every send; a failed one surfaces through the next metadata call
        producer.partitionsFor(topic);
        return records;
    }

    /** Sends the two {@link Poison} minibatches (a 1e30-scaled one and a NaN-label one) built from {@code rows}. */
    public void sendPoison(String topic, LabeledRows rows, int batchSize) throws InterruptedException,
            ExecutionException {
        Poison.send(producer, topic, rows, batchSize);
    }

    /**
     * Sends one CSV header line ({@code f0,...,f<n-1>,label}) as a record, as a producer streaming CSV files would.
     */
    public void sendCsvHeader(String topic, int features) throws InterruptedException, ExecutionException {
        producer.send(new ProducerRecord<>(topic, RecordEncoder.csvHeader(features).getBytes(StandardCharsets.UTF_8)))
                .get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
