package dev.streamtrain.core.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named-less dense tensor as it travels on the wire: element type, shape and little-endian bytes. A decoded tensor
 * is a view of the record's bytes (no copy): {@link #toFloats()} and {@link #toLongs()} read straight from them into
 * the arrays the trainer uses, which matters at tens of megabytes per second of ingest.
 */
public final class Tensor {
    /**
     * What went wrong reading a tensor, in the product's words: this class's own checks say it themselves; an
     * arithmetic overflow (a shape whose element count does not fit a long) is named as such, never as the JVM's text.
     */
    public static String problem(RuntimeException e) {
        return e instanceof ArithmeticException ? "its shape holds more elements than a record can"
                : dev.streamtrain.core.events.Failures.describe(e);
    }

    private final DType dtype;
    private final long[] shape;
    private final byte[] bytes;
    private final int offset;
    private final int length;

    /**
     * @param dtype element type
     * @param shape dimensions, outermost first
     * @param data little-endian element bytes; length = element count * dtype size
     * @throws IllegalArgumentException when the length does not fit the shape and type
     */
    public Tensor(DType dtype, long[] shape, byte[] data) {
        this(dtype, shape, data, 0, data.length);
    }

    /** A view of {@code length} bytes of {@code bytes} from {@code offset} (kept, not copied). */
    Tensor(DType dtype, long[] shape, byte[] bytes, int offset, int length) {
        long expected = elementCount(shape) * dtype.bytes();
        if (expected != length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + expected + " bytes, got " + length);
        }
        this.dtype = dtype;
        this.shape = shape;
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /** Its element bytes: element count times the dtype's size. */
    public long byteSize() {
        return length;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** Dimensions, outermost first. */
    public long[] shape() {
        return shape;
    }

    /** The little-endian element bytes (a copy when this is a view of a larger value). */
    public byte[] data() {
        return offset == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, offset, offset + length);
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
        ByteBuffer buf = view();
        float[] out = new float[size()];
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < out.length; i++) { out[i] = (float) buf.getDouble(i * 8); } }
            case F16 -> { for (int i = 0; i < out.length; i++) { out[i] = halfToFloat(buf.getShort(i * 2)); } }
            case I32 -> { for (int i = 0; i < out.length; i++) { out[i] = buf.getInt(i * 4); } }
            case I64 -> { for (int i = 0; i < out.length; i++) { out[i] = buf.getLong(i * 8); } }
            case U8 -> { for (int i = 0; i < out.length; i++) { out[i] = bytes[offset + i] & 0xff; } }
            default -> throw new IllegalStateException(dtype.name());
        }
        return out;
    }

    /**
     * Whether no element is NaN or infinite, read in place (no copy: a checkpoint checks every parameter and state
     * tensor). Integer tensors are always finite; float64 ones are judged as float64 (a value past float32's range is
     * finite).
     */
    public boolean allFinite() {
        ByteBuffer buf = view();
        int n = size();
        switch (dtype) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    if ((buf.getInt(i * 4) & 0x7f800000) == 0x7f800000) { // all exponent bits set: Inf or NaN
                        return false;
                    }
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    if (!Double.isFinite(buf.getDouble(i * 8))) {
                        return false;
                    }
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    if ((buf.getShort(i * 2) & 0x7c00) == 0x7c00) {
                        return false;
                    }
                }
            }
            case I32, I64, U8 -> { } // integers are always finite
            default -> throw new IllegalStateException(dtype.name()); // a new floating type needs its own test here
        }
        return true;
    }

    /** The values as float64: float64 tensors exactly, any other type through {@link #toFloats()}. */
    public double[] toDoubles() {
        double[] out = new double[size()];
        if (dtype == DType.F64) {
            view().asDoubleBuffer().get(out);
        } else {
            float[] f = toFloats();
            for (int i = 0; i < out.length; i++) {
                out[i] = f[i];
            }
        }
        return out;
    }

    /** The values as int64; only integer types convert. */
    public long[] toLongs() {
        ByteBuffer buf = view();
        long[] out = new long[size()];
        switch (dtype) {
            case I64 -> buf.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < out.length; i++) { out[i] = buf.getInt(i * 4); } }
            case U8 -> { for (int i = 0; i < out.length; i++) { out[i] = bytes[offset + i] & 0xff; } }
            default -> throw new IllegalArgumentException("expected an integer tensor, got " + dtype);
        }
        return out;
    }

    /** The element bytes as a little-endian buffer indexed from 0. */
    private ByteBuffer view() {
        return ByteBuffer.wrap(bytes, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
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
        return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape)
                && Arrays.equals(t.bytes, t.offset, t.offset + t.length, bytes, offset, offset + length);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + view().hashCode();
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
