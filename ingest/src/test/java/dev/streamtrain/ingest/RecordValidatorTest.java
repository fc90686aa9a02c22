package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.wire.DType;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.core.wire.Safetensors;
import dev.streamtrain.core.wire.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordValidatorTest {
    private static final MiniBatchCodec CODEC = MiniBatchCodec.standard();
    private static final OffsetRange SRC = OffsetRange.single("t", 0, 1);

    static RecordValidator validator(String head, int outputs, String nonFinite) {
        return new RecordValidator(CODEC, new RecordValidator.Expectation(3, outputs, head, nonFinite, 5, 1 << 20));
    }

    static String reason(RecordValidator v, byte[] value) {
        return assertInstanceOf(RecordValidator.Rejected.class, v.check(value, SRC)).reason();
    }

    /** {@code value} as the training reader's consumer hands it over: a view inside a larger fetch buffer. */
    static java.nio.ByteBuffer view(byte[] value) {
        byte[] fetched = new byte[6 + (value == null ? 0 : value.length) + 4];
        if (value != null) {
            System.arraycopy(value, 0, fetched, 6, value.length);
        }
        return java.nio.ByteBuffer.wrap(fetched, 6, value == null ? 0 : value.length).slice();
    }

    /**
     * The reader's views of the fetch buffer get the same outcomes as the values' own bytes: sizes are the view's (not
     * its array's), and formats read from a copy (JSON, CSV) get exactly the view's bytes.
     */
    @Test
    void aViewOfTheFetchBufferIsCheckedAsItsBytes() {
        RecordValidator v = validator("softmax", 4, "reject");
        byte[] good = CODEC.encode(2, 3, new float[] {1, 2, 3, 4, 5, 6}, new long[] {0, 1});
        var ok = assertInstanceOf(RecordValidator.Accepted.class, v.check(view(good), SRC));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, ok.batch().x());
        assertEquals("empty_value", assertInstanceOf(RecordValidator.Rejected.class,
                v.check(view(new byte[0]), SRC)).reason());
        assertEquals("undecodable", assertInstanceOf(RecordValidator.Rejected.class,
                v.check(view(Arrays.copyOf(good, good.length - 5)), SRC)).reason(), "truncated");
        RecordValidator small = new RecordValidator(CODEC,
                new RecordValidator.Expectation(3, 4, "softmax", "reject", 5, good.length));
        assertInstanceOf(RecordValidator.Accepted.class, small.check(view(good), SRC), "its size is the view's");
        var json = new RecordValidator(ExampleDecoders.json("features", "label"),
                new RecordValidator.Expectation(3, 4, "softmax", "reject", 5, 1 << 20));
        var example = assertInstanceOf(RecordValidator.Accepted.class, json.check(view(
                "{\"features\": [1, 2, 3], \"label\": 2}".getBytes(StandardCharsets.UTF_8)), SRC));
        assertArrayEquals(new float[] {1, 2, 3}, example.batch().x());
    }

    @Test
    void acceptsAGoodRecord() {
        var ok = assertInstanceOf(RecordValidator.Accepted.class,
                validator("softmax", 4, "reject").check(CODEC.encode(1, 3, new float[] {1, 2, 3}, new long[] {3}), SRC));
        assertArrayEquals(new long[] {3}, ok.batch().y());
    }

    @Test
    void rejectsMalformedValuesWithAReason() {
        RecordValidator v = validator("softmax", 4, "reject");
        byte[] good = CODEC.encode(2, 3, new float[6], new long[] {0, 1});
        assertEquals("empty_value", reason(v, new byte[0]));
        assertEquals("empty_value", reason(v, null));
        assertEquals("undecodable", reason(v, Arrays.copyOf(good, good.length - 5)), "truncated");
        assertEquals("undecodable", reason(v, "PK\u0003\u0004 not safetensors".getBytes(StandardCharsets.UTF_8)),
                "wrong magic");
        assertEquals("too_large", reason(v, new byte[10 * 1024 * 1024]), "10 MB value");
        assertEquals("wrong_shape", reason(v, CODEC.encode(1, 2, new float[2], new long[] {0})), "2 features, model 3");
        assertEquals("label_out_of_range", reason(v, CODEC.encode(1, 3, new float[3], new long[] {4})));
        assertEquals("label_out_of_range", reason(v, CODEC.encode(1, 3, new float[3], new long[] {-1})));
        assertEquals("wrong_labels", reason(v, CODEC.encodeTargets(1, 3, new float[3], new float[] {0.5f}, 1)),
                "float targets for a softmax classifier");
        Map<String, Tensor> u8 = new LinkedHashMap<>();
        u8.put("x", new Tensor(DType.U8, new long[] {1, 3}, new byte[3]));
        u8.put("y", new Tensor(DType.F64, new long[] {1, 2, 1}, new byte[16]));
        assertEquals("undecodable", reason(v, Safetensors.encode(u8)), "wrong dtype and rank of the labels");
    }

    @Test
    void nonFiniteFeaturesAreRejectedZeroedOrClipped() {
        byte[] value = CODEC.encode(1, 3, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 9}, new long[] {0});
        assertEquals("non_finite_features", reason(validator("softmax", 4, "reject"), value));
        var zeroed = assertInstanceOf(RecordValidator.Accepted.class, validator("softmax", 4, "zero").check(value, SRC));
        assertArrayEquals(new float[] {0, 0, 9}, zeroed.batch().x());
        var clipped = assertInstanceOf(RecordValidator.Accepted.class, validator("softmax", 4, "clip").check(value, SRC));
        assertArrayEquals(new float[] {0, 5, 5}, clipped.batch().x(), "NaN to 0, values clamped to [-5, 5]");
    }

    @Test
    void regressionNeedsFiniteTargetsOfTheRightWidth() {
        RecordValidator v = validator("identity", 2, "reject");
        assertInstanceOf(RecordValidator.Accepted.class,
                v.check(CODEC.encodeTargets(1, 3, new float[3], new float[] {1, 2}, 2), SRC));
        assertEquals("wrong_shape", reason(v, CODEC.encodeTargets(1, 3, new float[3], new float[] {1}, 1)));
        assertEquals("non_finite_targets", reason(v, CODEC.encodeTargets(1, 3, new float[3], new float[] {1, Float.NaN}, 2)));
        assertEquals("wrong_labels", reason(v, CODEC.encode(1, 3, new float[3], new long[] {1})));
        RecordValidator binary = validator("sigmoid", 1, "reject");
        assertInstanceOf(RecordValidator.Accepted.class, binary.check(CODEC.encode(1, 3, new float[3], new long[] {1}), SRC));
        assertEquals("label_out_of_range", reason(binary, CODEC.encode(1, 3, new float[3], new long[] {2})));
    }

    @Test
    void headerLinesAreSkippedAndIntegerTargetsServeAOneOutputRegression() {
        var csv = ExampleRecordsTest.csvFormat(",", "-1", "check", java.util.List.of("a", "b", "c", "y"),
                java.util.List.of());
        var expect = new RecordValidator.Expectation(3, 1, "identity", "reject", 5, 1 << 20);
        RecordValidator v = new RecordValidator(ExampleDecoders.csv(csv), expect);
        var header = assertInstanceOf(RecordValidator.Skipped.class,
                v.check("a,b,c,y".getBytes(StandardCharsets.UTF_8), SRC));
        assertEquals("csv_header", header.reason());
        assertEquals("csv_header_mismatch", reason(v, "a,b,z,y".getBytes(StandardCharsets.UTF_8)));
        var row = assertInstanceOf(RecordValidator.Accepted.class, v.check("1,2,3,7".getBytes(StandardCharsets.UTF_8), SRC));
        assertArrayEquals(new float[] {7}, row.batch().targets(), "the integer 7 is the regression target 7.0");
    }

    @Test
    void aClassWrittenAsADecimalIsThatClassAndACellThatIsNoNumberIsNamed() {
        var classes = new RecordValidator(ExampleDecoders.json("x", "y"),
                new RecordValidator.Expectation(2, 3, "softmax", "reject", 5, 1 << 20));
        var two = assertInstanceOf(RecordValidator.Accepted.class,
                classes.check("{\"x\": [1, 2], \"y\": 2.0}".getBytes(StandardCharsets.UTF_8), SRC));
        assertArrayEquals(new long[] {2}, two.batch().y(), "2.0 (as pandas writes class columns) is class 2");
        assertEquals("wrong_labels", reason(classes, "{\"x\": [1, 2], \"y\": 1.5}".getBytes(StandardCharsets.UTF_8)),
                "1.5 is no class");
        var csv = new RecordValidator(ExampleDecoders.csv(ExampleRecordsTest.csvFormat(",", "-1", "skip",
                java.util.List.of(), java.util.List.of())), new RecordValidator.Expectation(2, 3, "softmax", "reject",
                5, 1 << 20));
        var bad = assertInstanceOf(RecordValidator.Rejected.class, csv.check("1,abc,2".getBytes(StandardCharsets.UTF_8),
                SRC));
        assertEquals("a CSV cell is not a number: column 1 holds 'abc'", bad.message(), "no parser text");
        var trailing = assertInstanceOf(RecordValidator.Rejected.class, classes.check(
                "{\"x\": [1, 2], \"y\": 1} junk".getBytes(StandardCharsets.UTF_8), SRC));
        assertTrue(trailing.message().startsWith("not a JSON object: not valid JSON"), "as Python: " + trailing);
    }
}
