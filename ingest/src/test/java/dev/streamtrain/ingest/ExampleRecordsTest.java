package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.wire.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleRecordsTest {
    static MiniBatch example(int partition, long offset, float v, long y) {
        return new MiniBatch(1, 2, new float[] {v, v}, new long[] {y}, List.of(OffsetRange.single("t", partition, offset)));
    }

    @Test
    void assemblesBySizePerPartitionWithContiguousOffsetRanges() {
        ExampleAssembler a = new ExampleAssembler(3, 1_000);
        assertTrue(a.add(example(0, 10, 1, 0), 0).isEmpty());
        assertTrue(a.add(example(1, 5, 9, 1), 0).isEmpty(), "partitions fill separately");
        assertTrue(a.add(example(0, 11, 2, 1), 0).isEmpty());
        MiniBatch b = a.add(example(0, 13, 3, 2), 0).get(0); // offset 12 was dead-lettered
        assertEquals(3, b.rows());
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3}, b.x());
        assertArrayEquals(new long[] {0, 1, 2}, b.y());
        assertEquals(List.of(new OffsetRange("t", 0, 10, 11), OffsetRange.single("t", 0, 13)), b.sources());
        assertEquals(1, a.waiting());
    }

    @Test
    void aSlowTopicIsFlushedAfterTheMaxWaitAndAtTheEnd() {
        ExampleAssembler a = new ExampleAssembler(100, 50);
        a.add(example(0, 0, 1, 0), 1_000);
        a.add(example(1, 0, 1, 0), 1_040);
        assertTrue(a.flushDue(1_049).isEmpty(), "not yet");
        List<MiniBatch> due = a.flushDue(1_050);
        assertEquals(1, due.size(), "only the partition whose first example waited 50");
        assertEquals(0, due.get(0).sources().get(0).partition());
        assertEquals(1, a.flushAll().size());
        assertEquals(0, a.waiting());
    }

    @Test
    void decodesJsonAndCsvExamples() {
        OffsetRange src = OffsetRange.single("t", 0, 0);
        var json = ExampleDecoders.json("features", "label");
        MiniBatch cls = json.decode("{\"features\": [1, 2.5], \"label\": 3}".getBytes(StandardCharsets.UTF_8), src);
        assertArrayEquals(new long[] {3}, cls.y());
        MiniBatch reg = json.decode("{\"features\": [1, 2], \"label\": [0.5, -1]}".getBytes(StandardCharsets.UTF_8), src);
        assertArrayEquals(new float[] {0.5f, -1}, reg.targets());
        MiniBatch nan = json.decode("{\"features\": [\"NaN\", 2], \"label\": 1}".getBytes(StandardCharsets.UTF_8), src);
        assertTrue(Float.isNaN(nan.x()[0]), "NaN arrives as NaN: the validator's policy decides");
        assertThrows(WireFormatException.class, () -> json.decode("{\"features\": [1]}".getBytes(StandardCharsets.UTF_8), src));
        assertThrows(WireFormatException.class, () -> json.decode("[1, 2]".getBytes(StandardCharsets.UTF_8), src));
        assertThrows(WireFormatException.class, () -> json.decode("{\"features\": [\"a\"], \"label\": 1}"
                .getBytes(StandardCharsets.UTF_8), src));

        var csv = ExampleDecoders.csv(";", 0);
        MiniBatch row = csv.decode("7; 0.5; 1.5".getBytes(StandardCharsets.UTF_8), src);
        assertArrayEquals(new long[] {7}, row.y());
        assertArrayEquals(new float[] {0.5f, 1.5f}, row.x());
        assertThrows(WireFormatException.class, () -> csv.decode("x;1;2".getBytes(StandardCharsets.UTF_8), src));
        assertThrows(WireFormatException.class, () -> csv.decode("5".getBytes(StandardCharsets.UTF_8), src));
    }
}
