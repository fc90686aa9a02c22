package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ExternalMetric;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The external metrics reader on a real broker. */
class ExternalMetricsVerticleTest {
    static final EmbeddedKafkaBroker broker = SharedBroker.broker();
    static final Admin admin = SharedBroker.admin();

    private static void produce(String topic, String... values) throws Exception {
        try (var p = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            for (String v : values) {
                p.send(new ProducerRecord<>(topic, v.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    /** Deploys a reader and returns the metrics it publishes, as they arrive. */
    private static LinkedBlockingQueue<ExternalMetric> deploy(Vertx vertx, String topic, String start,
            Map<String, String> extraConsumerSettings, long lookEveryMillis) throws Exception {
        Events.registerCodecs(vertx);
        var events = new LinkedBlockingQueue<ExternalMetric>();
        vertx.eventBus().<ExternalMetric>consumer(Addresses.EXTERNAL_METRICS, m -> events.add(m.body()))
                .completion().await(10, TimeUnit.SECONDS);
        vertx.deployVerticle(new ExternalMetricsVerticle("j", topic,
                ConsumerSettings.of(broker.bootstrapServers(), null, extraConsumerSettings), start,
                vx -> new DeadLetterPublisher(vx, broker.bootstrapServers(), Map.of(), topic + ".dlq"))
                .lookForTopicEvery(lookEveryMillis)).await(30, TimeUnit.SECONDS);
        return events;
    }

    /** name=value@rows/update of the next metric, or null after 30 s. */
    private static String next(LinkedBlockingQueue<ExternalMetric> events, long waitMillis) throws Exception {
        ExternalMetric m = events.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (m != null) {
            assertEquals("j", m.job());
            assertTrue(m.timeMillis() > 0);
        }
        return m == null ? null : m.name() + "=" + m.value() + "@" + m.rows() + "/" + m.update();
    }

    @Test
    void fromEarliestEveryMetricArrivesInOrderAndAGarbageRecordIsDeadLettered() throws Exception {
        String topic = "ext-earliest";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        produce(topic, "{\"metric\": \"val_loss\", \"value\": 0.5, \"rows\": 100, \"update\": 1}",
                "{\"metrics\": {\"val_loss\": 0.4, \"val_auc\": 0.8}, \"rows\": 200}",
                "{oops",
                "{\"metric\": \"val_loss\", \"value\": \"NaN\"}");
        Vertx vertx = Vertx.vertx();
        try {
            var events = deploy(vertx, topic, "earliest", Map.of(), 10_000);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                got.add(next(events, 30_000));
            }
            assertEquals(List.of("val_loss=0.5@100/1", "val_loss=0.4@200/-1", "val_auc=0.8@200/-1",
                    "val_loss=NaN@-1/-1"), got, "several metrics of one record are several events, in order");
            produce(topic, "{\"metric\": \"val_auc\", \"value\": 0.9}");
            assertEquals("val_auc=0.9@-1/-1", next(events, 30_000), "it goes on following the topic");

            try (var dlq = new KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "key.deserializer", ByteArrayDeserializer.class,
                    "value.deserializer", ByteArrayDeserializer.class))) {
                var tp = new TopicPartition(topic + ".dlq", 0);
                dlq.assign(List.of(tp));
                dlq.seekToBeginning(List.of(tp));
                var records = dlq.poll(Duration.ofSeconds(10)).records(tp);
                assertEquals(1, records.size());
                assertEquals("{oops", new String(records.get(0).value(), StandardCharsets.UTF_8));
                Map<String, String> headers = new HashMap<>();
                records.get(0).headers().forEach(h -> headers.put(h.key(), new String(h.value(),
                        StandardCharsets.UTF_8)));
                assertEquals(ExternalMetricsVerticle.BAD_RECORD, headers.get("st-error-class"));
                assertEquals("bad_metric_record", headers.get("st-error-class"));
                assertEquals("2", headers.get("st-source-offset"));
                assertTrue(headers.get("st-error-message").startsWith("not valid JSON (line 1"), headers.toString());
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void fromLatestOnlyRecordsWrittenAfterTheStartArrive() throws Exception {
        String topic = "ext-latest";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        produce(topic, "{\"metric\": \"old\", \"value\": 1}", "{\"metric\": \"old\", \"value\": 2}",
                "{\"metrics\": {\"old\": 3}}");
        Vertx vertx = Vertx.vertx();
        try {
            var events = deploy(vertx, topic, "latest", Map.of(), 10_000);
            produce(topic, "{\"metric\": \"new\", \"value\": 4}"); // at once: the position is fixed by start()
            assertEquals("new=4.0@-1/-1", next(events, 30_000));
            assertNull(next(events, 500), "nothing written before the start");
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTopicCreatedAfterTheStartIsReadFromItsBeginning() throws Exception {
        String topic = "ext-later";
        Vertx vertx = Vertx.vertx();
        try {
            var events = deploy(vertx, topic, "latest", Map.of("allow.auto.create.topics", "false"), 100);
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            produce(topic, "{\"metric\": \"val_loss\", \"value\": 0.7}");
            assertEquals("val_loss=0.7@-1/-1", next(events, 30_000), "written after the start: not skipped");
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
