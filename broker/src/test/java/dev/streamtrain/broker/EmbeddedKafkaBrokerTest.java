package dev.streamtrain.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @Test
    void producesConsumesAndStopsAndKeepsDataAcrossRestart(@TempDir Path dir) throws Exception {
        int firstPort;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
            firstPort = broker.port();
            assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"));
            produce(broker.bootstrapServers(), "hello");
            assertEquals(List.of("hello"), consumeAll(broker.bootstrapServers()));
            assertTrue(Files.exists(dir.resolve("kafka-logs/meta.properties")));
        }
        try (EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(dir)) {
            assertEquals(List.of("hello"), consumeAll(restarted.bootstrapServers()), "data survives a restart");
            restarted.close();
            assertFalse(restarted.isAcceptingConnections(), "port closed after close()");
        }
        assertTrue(firstPort > 0);
    }

    private static void produce(String bootstrap, String value) throws Exception {
        Map<String, Object> cfg = Map.of("bootstrap.servers", bootstrap, "key.serializer", StringSerializer.class,
                "value.serializer", StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(cfg)) {
            producer.send(new ProducerRecord<>("t", value)).get();
        }
    }

    private static List<String> consumeAll(String bootstrap) {
        Map<String, Object> cfg = Map.of("bootstrap.servers", bootstrap, "key.deserializer", StringDeserializer.class,
                "value.deserializer", StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cfg)) {
            TopicPartition tp = new TopicPartition("t", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(10));
            return records.records(tp).stream().map(r -> r.value()).toList();
        }
    }
}
