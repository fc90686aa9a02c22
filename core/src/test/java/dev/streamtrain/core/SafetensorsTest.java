package dev.streamtrain.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.wire.DType;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.core.wire.Safetensors;
import dev.streamtrain.core.wire.Tensor;
import dev.streamtrain.core.wire.WireFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetensorsTest {
    private static final OffsetRange SRC = OffsetRange.single("t", 0, 7);

    @Test
    void layoutMatchesTheSpecification() {
        byte[] doc = Safetensors.encode(Map.of("a", Tensor.ofFloats(new long[] {2}, new float[] {1f, -2f})));
        long headerLen = ByteBuffer.wrap(doc, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        String header = new String(doc, 8, (int) headerLen, StandardCharsets.UTF_8).trim();
        assertEquals("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header);
        ByteBuffer data = ByteBuffer.wrap(doc, 8 + (int) headerLen, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, data.getFloat());
        assertEquals(-2f, data.getFloat());
    }

    @Test
    void roundTripsSeveralTensorsAndDtypes() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", Tensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, Float.NaN}));
        in.put("y", Tensor.ofLongs(new long[] {2}, new long[] {9, Long.MAX_VALUE}));
        Map<String, Tensor> out = Safetensors.decode(Safetensors.encode(in));
        assertEquals(in, out);
        assertEquals(DType.I64, out.get("y").dtype());
    }

    @Test
    void convertsHalfDoubleAndInt32() {
        ByteBuffer half = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        half.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x7c00); // 1, -2, +inf
        assertArrayEquals(new float[] {1f, -2f, Float.POSITIVE_INFINITY},
                new Tensor(DType.F16, new long[] {3}, half.array()).toFloats());
        ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(-3);
        assertArrayEquals(new float[] {0.5f, -3f}, new Tensor(DType.F64, new long[] {2}, f64.array()).toFloats());
        ByteBuffer i32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(4).putInt(-1);
        assertArrayEquals(new long[] {4, -1}, new Tensor(DType.I32, new long[] {2}, i32.array()).toLongs());
    }

    @Test
    void rejectsMalformedDocumentsWithAReason() {
        byte[] good = MiniBatchCodec.standard().encode(1, 2, new float[] {1, 2}, new long[] {1});
        assertMessage(new byte[3], "too short");
        assertMessage(Arrays.copyOf(good, good.length - 3), "outside");
        byte[] hugeHeader = good.clone();
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertMessage(hugeHeader, "does not fit the");
        byte[] overLimit = new byte[Safetensors.MAX_HEADER_BYTES + 64]; // a header that is there, but too large to read
        ByteBuffer.wrap(overLimit).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Safetensors.MAX_HEADER_BYTES + 1L);
        var limit = assertThrows(WireFormatException.class, () -> Safetensors.decode(overLimit));
        assertEquals("too_large", limit.reason(), "a limit is reported as a limit, not as corruption");
        assertTrue(limit.getMessage().contains("over the " + Safetensors.MAX_HEADER_BYTES + "-byte limit"),
                limit.getMessage());
        byte[] notJson = good.clone();
        notJson[8] = 'Z';
        assertMessage(notJson, "not JSON");
        byte[] badDtype = new String(good, StandardCharsets.ISO_8859_1).replace("F32", "Q32")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertMessage(badDtype, "unsupported dtype 'Q32'");
    }

    @Test
    void miniBatchCodecRoundTripsAndChecksShapes() {
        MiniBatchCodec codec = MiniBatchCodec.standard();
        MiniBatch b = codec.decode(codec.encode(2, 2, new float[] {1, 2, 3, 4}, new long[] {0, 1}), SRC);
        assertEquals(2, b.rows());
        assertArrayEquals(new float[] {1, 2, 3, 4}, b.x());
        assertArrayEquals(new long[] {0, 1}, b.y());
        assertEquals(SRC, b.sources().get(0));

        Map<String, Tensor> wrongRows = new LinkedHashMap<>();
        wrongRows.put("x", Tensor.ofFloats(new long[] {2, 1}, new float[] {1, 2}));
        wrongRows.put("y", Tensor.ofLongs(new long[] {3}, new long[] {0, 1, 2}));
        var e = assertThrows(WireFormatException.class, () -> codec.decode(Safetensors.encode(wrongRows), SRC));
        assertTrue(e.getMessage().contains("'y' must be 1-D with 2 rows"), e.getMessage());

        var renamed = new MiniBatchCodec("features", "label");
        var missing = assertThrows(WireFormatException.class,
                () -> renamed.decode(codec.encode(1, 1, new float[] {1}, new long[] {0}), SRC));
        assertTrue(missing.getMessage().contains("missing tensor 'features'"), missing.getMessage());
    }

    @Test
    void floatLabelTensorsDecodeAsRegressionTargets() {
        MiniBatchCodec codec = MiniBatchCodec.standard();
        MiniBatch b = codec.decode(codec.encodeTargets(2, 1, new float[] {1, 2}, new float[] {0.5f, -1, 3, 4}, 2), SRC);
        assertTrue(b.hasTargets());
        assertEquals(2, b.targetWidth());
        assertArrayEquals(new float[] {0.5f, -1, 3, 4}, b.targets());
        Map<String, Tensor> oneD = new LinkedHashMap<>();
        oneD.put("x", Tensor.ofFloats(new long[] {2, 1}, new float[] {1, 2}));
        oneD.put("y", Tensor.ofFloats(new long[] {2}, new float[] {0.25f, 0.75f}));
        MiniBatch c = codec.decode(Safetensors.encode(oneD), SRC);
        assertEquals(1, c.targetWidth());
        assertArrayEquals(new float[] {0.25f, 0.75f}, c.targets());
    }

    @Test
    void aRepeatedHeaderIsParsedOnceAndStillCheckedAgainstEachDocument() {
        var codec = MiniBatchCodec.standard();
        byte[] first = codec.encode(2, 2, new float[] {1, 2, 3, 4}, new long[] {0, 1});
        byte[] second = codec.encode(2, 2, new float[] {5, 6, 7, 8}, new long[] {1, 0});
        var a = Safetensors.decode(first, null);
        var b = Safetensors.decode(second, a.header());
        assertTrue(a.header() == b.header(), "the same layout: the parsed header is reused");
        assertArrayEquals(new float[] {5, 6, 7, 8}, b.tensors().get("x").toFloats(), "the data is this document's");
        byte[] wider = codec.encode(1, 3, new float[] {1, 2, 3}, new long[] {2});
        var c = Safetensors.decode(wider, b.header());
        assertTrue(c.header() != b.header(), "another layout is parsed");
        assertArrayEquals(new long[] {1, 3}, c.tensors().get("x").shape());
        var truncated = assertThrows(WireFormatException.class,
                () -> Safetensors.decode(Arrays.copyOf(second, second.length - 3), a.header()));
        assertTrue(truncated.getMessage().contains("outside"), truncated.getMessage());

        var decoder = new dev.streamtrain.core.wire.MiniBatchDecoder(codec);
        for (byte[] doc : List.of(first, second, wider, first)) {
            var viaDecoder = decoder.decode(doc, SRC);
            var plain = codec.decode(doc, SRC);
            assertArrayEquals(plain.x(), viaDecoder.x());
            assertArrayEquals(plain.y(), viaDecoder.y());
        }
    }

    private static void assertMessage(byte[] doc, String fragment) {
        var e = assertThrows(WireFormatException.class, () -> MiniBatchCodec.standard().decode(doc, SRC));
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }
}
