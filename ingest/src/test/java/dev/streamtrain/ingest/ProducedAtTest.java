package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamtrain.core.batch.MiniBatch;
import io.vertx.kafka.client.consumer.impl.KafkaConsumerRecordImpl;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ProducedAtTest {
    private static KafkaConsumerRecordImpl<byte[], byte[]> record(long timestamp, String header) {
        var headers = new RecordHeaders();
        if (header != null) {
            headers.add(MiniBatch.PRODUCED_AT, header.getBytes(StandardCharsets.US_ASCII));
        }
        return new KafkaConsumerRecordImpl<>(new ConsumerRecord<>("t", 0, 7, timestamp, TimestampType.CREATE_TIME,
                0, 0, null, new byte[1], headers, Optional.empty()));
    }

    @Test
    void theHeaderWinsThenTheRecordTimestamp() {
        assertEquals(1_700_000_000_123L, ProducedAt.of(record(5, "1700000000123")));
        assertEquals(5, ProducedAt.of(record(5, null)), "no header: the producer's create time");
        assertEquals(5, ProducedAt.of(record(5, "yesterday")), "a header in another format is not trusted");
        assertEquals(-1, ProducedAt.of(record(-1, null)), "no time at all");
    }

    private static MiniBatch example(long offset) {
        return new MiniBatch(1, 1, new float[1], new long[1],
                java.util.List.of(dev.streamtrain.core.batch.OffsetRange.single("t", 0, offset)));
    }

    @Test
    void anAssembledMinibatchIsAsOldAsItsOldestExample() {
        var a = new MiniBatch(1, 1, new float[1], new long[1], java.util.List.of()).producedAt(200);
        var b = new MiniBatch(1, 1, new float[1], new long[1], java.util.List.of()).producedAt(100);
        var c = new MiniBatch(1, 1, new float[1], new long[1], java.util.List.of());
        assertEquals(100, MiniBatch.earliestProducedAt(java.util.List.of(a, b, c)));
        assertEquals(-1, MiniBatch.earliestProducedAt(java.util.List.of(c)));
        var assembler = new ExampleAssembler(2, Long.MAX_VALUE);
        assembler.add(example(1).producedAt(300), 0);
        var batches = assembler.add(example(2).producedAt(250), 0);
        assertEquals(1, batches.size());
        assertEquals(250, batches.get(0).producedAtMillis());
    }
}
