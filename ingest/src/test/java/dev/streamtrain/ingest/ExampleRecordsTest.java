package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.RecordFormatSettings;
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
        // Python's json.dumps writes them bare: the same values as their string forms
        MiniBatch bare = json.decode("{\"features\": [NaN, Infinity, -Infinity, 2], \"label\": 1}"
                .getBytes(StandardCharsets.UTF_8), src);
        assertTrue(Float.isNaN(bare.x()[0]));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2}, java.util.Arrays.copyOfRange(
                bare.x(), 1, 4));
        var broken = assertThrows(WireFormatException.class, () -> json.decode("{\"features\": [1,, 2]}"
                .getBytes(StandardCharsets.UTF_8), src));
        assertEquals("not a JSON object: not valid JSON (line 1, column 17)", broken.getMessage(),
                "the position, in the product's words (no parser text)");
        assertThrows(WireFormatException.class, () -> json.decode("{\"features\": [1]}".getBytes(StandardCharsets.UTF_8), src));
        assertThrows(WireFormatException.class, () -> json.decode("[1, 2]".getBytes(StandardCharsets.UTF_8), src));
        assertThrows(WireFormatException.class, () -> json.decode("{\"features\": [\"a\"], \"label\": 1}"
                .getBytes(StandardCharsets.UTF_8), src));

        var csv = ExampleDecoders.csv(csvFormat(";", "0", "none", List.of(), List.of()));
        MiniBatch row = csv.decode("7; 0.5; 1.5".getBytes(StandardCharsets.UTF_8), src);
        assertArrayEquals(new long[] {7}, row.y());
        assertArrayEquals(new float[] {0.5f, 1.5f}, row.x());
        assertThrows(WireFormatException.class, () -> csv.decode("x;1;2".getBytes(StandardCharsets.UTF_8), src));
        assertThrows(WireFormatException.class, () -> csv.decode("5".getBytes(StandardCharsets.UTF_8), src));
        assertThrows(WireFormatException.class, () -> csv.decode("label;a;b".getBytes(StandardCharsets.UTF_8), src),
                "csv-header none: a header line is a bad record");
    }

    static RecordFormatSettings csvFormat(String delimiter, String label, String header, List<String> columns,
            List<String> featureColumns) {
        var d = RecordFormatSettings.defaults();
        return new RecordFormatSettings("csv", d.featuresTensor(), d.labelsTensor(), d.jsonXField(), d.jsonYField(),
                d.jsonFeatures(), delimiter, label, header, columns, featureColumns);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void jsonFieldsByPathOrByName() {
        OffsetRange src = OffsetRange.single("t", 0, 0);
        var nested = ExampleDecoders.json("input.pixels", "/meta/class");
        MiniBatch b = nested.decode(utf8("{\"input\": {\"pixels\": [1, 2]}, \"meta\": {\"class\": 4}}"), src);
        assertArrayEquals(new float[] {1, 2}, b.x());
        assertArrayEquals(new long[] {4}, b.y());
        var named = ExampleDecoders.forFormat(new RecordFormatSettings("json", "x", "y", "x", "price",
                List.of("rooms", "area.m2", "tags.0"), ",", "-1", "skip", List.of(), List.of()));
        MiniBatch house = named.decode(utf8("{\"area\": {\"m2\": 80.5}, \"rooms\": 3, \"tags\": [7], \"price\": 2.5}"),
                src);
        assertArrayEquals(new float[] {3, 80.5f, 7}, house.x(), "features in the order the schema names them");
        assertArrayEquals(new float[] {2.5f}, house.targets());
        var missing = assertThrows(WireFormatException.class,
                () -> named.decode(utf8("{\"rooms\": 3, \"tags\": [7], \"price\": 2}"), src));
        assertTrue(missing.getMessage().contains("'area.m2'"), missing.getMessage());
    }

    @Test
    void csvHeadersAreSkippedCheckedOrRejected() {
        OffsetRange src = OffsetRange.single("t", 0, 0);
        var skip = ExampleDecoders.csv(csvFormat(",", "-1", "skip", List.of(), List.of()));
        var notData = assertThrows(ExampleDecoders.NotAnExample.class, () -> skip.decode(utf8("a, b, label"), src));
        assertEquals("csv_header", notData.reason());
        assertArrayEquals(new long[] {2}, skip.decode(utf8("1,2,2"), src).y());

        List<String> columns = List.of("a", "b", "label");
        var check = ExampleDecoders.csv(csvFormat(",", "label", "check", columns, List.of()));
        assertThrows(ExampleDecoders.NotAnExample.class, () -> check.decode(utf8("a,b,label"), src));
        var mismatch = assertThrows(WireFormatException.class, () -> check.decode(utf8("a,c,label"), src));
        assertEquals("csv_header_mismatch", mismatch.reason());
        assertThrows(WireFormatException.class, () -> check.decode(utf8("1,2"), src), "two cells where three are named");
    }

    @Test
    void csvLinesAreReadAsRfc4180() {
        OffsetRange src = OffsetRange.single("t", 0, 0);
        var skip = ExampleDecoders.csv(csvFormat(",", "-1", "skip", List.of(), List.of()));
        MiniBatch quoted = skip.decode(utf8("\"0.5\",\"0.6\",\"0.7\",\"0.8\",\"2\""), src);
        assertArrayEquals(new float[] {0.5f, 0.6f, 0.7f, 0.8f}, quoted.x(), "quoted numbers are data, not a header");
        assertArrayEquals(new long[] {2}, quoted.y());
        assertArrayEquals(new float[] {1, 2}, skip.decode(utf8(" 1 , 2 ,3\r\n"), src).x(), "spaces and CRLF");
        var check = ExampleDecoders.csv(csvFormat(",", "label", "check", List.of("a", "b", "label"), List.of()));
        var bom = assertThrows(ExampleDecoders.NotAnExample.class, () -> check.decode(utf8("\uFEFFa,b,label\r\n"),
                src), "Excel's CSV UTF-8: the byte-order mark is not part of the first name");
        assertEquals("csv_header", bom.reason());
        var unclosed = assertThrows(WireFormatException.class, () -> skip.decode(utf8("\"1,2,3"), src));
        assertEquals("not a CSV line (an unclosed quote?)", unclosed.getMessage());
        var config = assertThrows(dev.streamtrain.core.config.ConfigException.class, () ->
                dev.streamtrain.core.config.JobConfigLoader.parse("ingest: {format: csv, csv-delimiter: ';;'}", "t"));
        assertTrue(config.getMessage().contains("ingest.csv-delimiter: must be one character"), config.getMessage());
    }

    @Test
    void csvColumnsByNameSelectFeaturesAndLabel() {
        OffsetRange src = OffsetRange.single("t", 0, 0);
        var f = csvFormat(",", "price", "check", List.of("id", "price", "rooms", "area"), List.of("area", "rooms"));
        MiniBatch b = ExampleDecoders.csv(f).decode(utf8("17,250.5,3,80"), src);
        assertArrayEquals(new float[] {80, 3}, b.x(), "only the named feature columns, in their order");
        assertArrayEquals(new float[] {250.5f}, b.targets(), "a decimal label is a regression target");
        MiniBatch cls = ExampleDecoders.csv(f).decode(utf8("17,2,3,80"), src);
        assertArrayEquals(new long[] {2}, cls.y(), "an integer label is a class id");
    }
}
