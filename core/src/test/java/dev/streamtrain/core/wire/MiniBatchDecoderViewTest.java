package dev.streamtrain.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A record value handed over as a view of the consumer's fetch buffer decodes exactly as its bytes on their own, for
 * every way the view can sit in its array, and nothing outside the view is read.
 */
class MiniBatchDecoderViewTest {
    private static final MiniBatchCodec CODEC = MiniBatchCodec.standard();
    private static final OffsetRange SOURCE = OffsetRange.single("t", 0, 0);
    private static final float[] X = {1, 2, 3, 4, 5, 6};
    private static final long[] Y = {3, 1};

    /** {@code value} inside a larger array of other bytes, from index {@code at}. */
    private static byte[] framed(byte[] value, int at) {
        byte[] out = new byte[at + value.length + 9];
        java.util.Arrays.fill(out, (byte) 0x5a);
        System.arraycopy(value, 0, out, at, value.length);
        return out;
    }

    private static void assertSame(MiniBatch expected, MiniBatch actual) {
        assertEquals(expected.rows(), actual.rows());
        assertArrayEquals(expected.x(), actual.x());
        assertArrayEquals(expected.y(), actual.y());
    }

    @Test
    void safetensorsViewsDecodeAsTheirBytesAndTheHeaderCacheComparesInPlace() {
        byte[] value = CODEC.encode(2, 3, X, Y);
        MiniBatch expected = new MiniBatchDecoder(CODEC).decode(value, SOURCE);
        MiniBatchDecoder decoder = new MiniBatchDecoder(CODEC);
        ByteBuffer positioned = ByteBuffer.wrap(framed(value, 13), 13, value.length); // position 13
        ByteBuffer sliced = ByteBuffer.wrap(framed(value, 5), 5, value.length).slice(); // array offset 5
        for (ByteBuffer view : new ByteBuffer[] {positioned, sliced, positioned, sliced}) { // twice: cached header
            int position = view.position();
            assertSame(expected, decoder.decode(view, SOURCE));
            assertEquals(position, view.position(), "the view is left as it was");
        }
        float[] other = {9, 8, 7, 6, 5, 4};
        byte[] second = CODEC.encode(2, 3, other, Y); // same header, other data: the cache must not mix them up
        MiniBatch b = decoder.decode(ByteBuffer.wrap(framed(second, 21), 21, second.length), SOURCE);
        assertArrayEquals(other, b.x());
    }

    @Test
    void aTruncatedViewFailsEvenWhenItsArrayHoldsTheRest() {
        byte[] value = CODEC.encode(2, 3, X, Y);
        ByteBuffer truncated = ByteBuffer.wrap(framed(value, 4), 4, value.length - 8);
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> new MiniBatchDecoder(CODEC).decode(truncated, SOURCE));
        assertEquals("undecodable", e.reason(), e.getMessage());
    }

    @Test
    void npzAndBufferWithoutArrayAreCopiedAndDecodeTheSame() {
        byte[] npz = CODEC.encodeNpz(2, 3, X, Y);
        MiniBatch expected = CODEC.decode(npz, SOURCE);
        assertSame(expected, new MiniBatchDecoder(CODEC).decode(ByteBuffer.wrap(framed(npz, 3), 3, npz.length),
                SOURCE));
        byte[] value = CODEC.encode(2, 3, X, Y);
        ByteBuffer direct = ByteBuffer.allocateDirect(value.length).put(value).flip();
        assertSame(expected, new MiniBatchDecoder(CODEC).decode(direct, SOURCE));
    }
}
