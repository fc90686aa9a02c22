package dev.streamtrain.app;

import dev.streamtrain.core.wire.MiniBatchCodec;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Bad minibatches to inject into a stream, to watch a run heal itself (demo {@code --poison}, produce
 * {@code --poison}): real rows with every feature scaled by 1e30 (finite, so ingest lets them through; their gradient
 * overflows and the trainer refuses the update, then the monitor rolls back), and real rows whose labels are NaN
 * (ingest dead-letters them as {@code non_finite_targets}).
 */
final class Poison {
    /** Scale of the exploding minibatch's features. */
    static final float SCALE = 1e30f;

    private Poison() {
    }

    /** The two poisoned minibatch records, built from the first {@code rows} rows. */
    static List<byte[]> records(LabeledRows rows, int batchSize) {
        int n = Math.min(batchSize, rows.size());
        float[] x = rows.flatFeatures(0, n);
        float[] exploding = x.clone();
        for (int i = 0; i < exploding.length; i++) {
            exploding[i] = exploding[i] * SCALE + SCALE; // digits have zero pixels: shift them too
        }
        float[] nanLabels = new float[n];
        java.util.Arrays.fill(nanLabels, Float.NaN);
        return List.of(MiniBatchCodec.standard().encode(n, rows.features(), exploding, rows.labels(0, n)),
                MiniBatchCodec.standard().encodeTargets(n, rows.features(), x, nanLabels, 1));
    }

    /** Sends them to a topic and waits for the broker's acknowledgement. */
    static void send(KafkaProducer<byte[], byte[]> producer, String topic, LabeledRows rows, int batchSize)
            throws InterruptedException, ExecutionException {
        for (byte[] value : records(rows, batchSize)) {
            producer.send(new ProducerRecord<>(topic, value)).get();
        }
    }
}
