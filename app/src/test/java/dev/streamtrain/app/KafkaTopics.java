package dev.streamtrain.app;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Test helpers that read a topic the way an outside consumer would. */
final class KafkaTopics {
    private KafkaTopics() {
    }

    /** The end offset of partition 0: records ever produced to a one-partition topic. */
    static long endOffset(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }

    /** Reads partition 0 from the beginning until a value matches or the timeout passes; returns all values read. */
    static List<String> readUntil(String bootstrap, String topic, Predicate<String> wanted, Duration timeout) {
        List<String> values = new ArrayList<>();
        read(bootstrap, topic, timeout, r -> {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            values.add(v);
            return wanted.test(v);
        });
        return values;
    }

    /** Reads partition 0 from the beginning until {@code count} records arrived; returns each record's headers. */
    static List<Map<String, String>> readHeaders(String bootstrap, String topic, long count, Duration timeout) {
        List<Map<String, String>> out = new ArrayList<>();
        read(bootstrap, topic, timeout, r -> {
            Map<String, String> headers = new java.util.HashMap<>();
            r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            out.add(headers);
            return out.size() >= count;
        });
        return out;
    }

    /** Hands each record of partition 0, from the beginning, to {@code done} until it answers true or time is up. */
    private static void read(String bootstrap, String topic, Duration timeout,
            Predicate<ConsumerRecord<byte[], byte[]>> done) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", bootstrap,
                "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (done.test(r)) {
                        return;
                    }
                }
            }
        }
    }
}
