package dev.streamtrain.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** {@link Tensor#allFinite} agrees with converting every element and testing it, for each element type. */
class TensorFiniteTest {
    private static Tensor of(DType dtype, ByteBuffer filled, int n) {
        byte[] framed = new byte[3 + filled.capacity() + 2]; // an offset into a larger array, as a decoded record has
        System.arraycopy(filled.array(), 0, framed, 3, filled.capacity());
        return new Tensor(dtype, new long[] {n}, framed, 3, filled.capacity());
    }

    private static boolean byConversion(Tensor t) {
        for (double v : t.toDoubles()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void float32() {
        float[] cases = {0f, -0f, 1.5f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001)};
        for (float bad : cases) {
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            b.putFloat(0, 1f).putFloat(4, 2f).putFloat(8, bad).putFloat(12, 3f);
            Tensor t = of(DType.F32, b, 4);
            assertEquals(Float.isFinite(bad), t.allFinite(), "float32 " + bad);
            assertEquals(byConversion(t), t.allFinite(), "float32 " + bad);
        }
    }

    @Test
    void float64PastFloat32RangeIsFinite() {
        double[] cases = {0, 1e300, -1e39, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double bad : cases) {
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            b.putDouble(0, 1).putDouble(8, bad);
            assertEquals(Double.isFinite(bad), of(DType.F64, b, 2).allFinite(), "float64 " + bad);
        }
    }

    @Test
    void float16() {
        short[] cases = {0x3c00, 0x7bff, (short) 0xfbff, 0x0001, 0x7c00, (short) 0xfc00, 0x7e00, 0x7c01};
        for (short bad : cases) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(0, (short) 0x3c00).putShort(2, bad);
            Tensor t = of(DType.F16, b, 2);
            assertEquals(Float.isFinite(Tensor.halfToFloat(bad)), t.allFinite(), "float16 " + Integer.toHexString(bad));
            assertEquals(byConversion(t), t.allFinite(), "float16 " + Integer.toHexString(bad));
        }
    }

    @Test
    void integersAreFinite() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, -1L).putLong(8, Long.MAX_VALUE);
        assertEquals(true, of(DType.I64, b, 2).allFinite());
    }
}
