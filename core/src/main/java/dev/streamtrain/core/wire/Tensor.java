package dev.streamtrain.core.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named-less dense tensor as it travels on the wire: element type, shape and little-endian bytes.
 *
 * @param dtype element type
 * @param shape dimensions, outermost first
 * @param data little-endian element bytes; length = element count * dtype size
 */
public record Tensor(DType dtype, long[] shape, byte[] data) {

    public Tensor {
        long expected = elementCount(shape) * dtype.bytes();
        if (expected != data.length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + expected + " bytes, got " + data.length);
        }
    }

    /** Wraps float32 values. */
    public static Tensor ofFloats(long[] shape, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new Tensor(DType.F32, shape.clone(), buf.array());
    }

    /** Wraps int64 values. */
    public static Tensor ofLongs(long[] shape, long[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        return new Tensor(DType.I64, shape.clone(), buf.array());
    }

    /** Number of elements of a shape (1 for a scalar). */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Number of elements. */
    public int size() {
        return Math.toIntExact(elementCount(shape));
    }

    /** The values as float32, converting from any floating or integer type. */
    public float[] toFloats() {
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[size()];
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < out.length; i++) { out[i] = (float) buf.getDouble(i * 8); } }
            case F16 -> { for (int i = 0; i < out.length; i++) { out[i] = halfToFloat(buf.getShort(i * 2)); } }
            case I32 -> { for (int i = 0; i < out.length; i++) { out[i] = buf.getInt(i * 4); } }
            case I64 -> { for (int i = 0; i < out.length; i++) { out[i] = buf.getLong(i * 8); } }
            case U8 -> { for (int i = 0; i < out.length; i++) { out[i] = data[i] & 0xff; } }
            default -> throw new IllegalStateException(dtype.name());
        }
        return out;
    }

    /** The values as int64; only integer types convert. */
    public long[] toLongs() {
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[size()];
        switch (dtype) {
            case I64 -> buf.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < out.length; i++) { out[i] = buf.getInt(i * 4); } }
            case U8 -> { for (int i = 0; i < out.length; i++) { out[i] = data[i] & 0xff; } }
            default -> throw new IllegalArgumentException("expected an integer tensor, got " + dtype);
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
