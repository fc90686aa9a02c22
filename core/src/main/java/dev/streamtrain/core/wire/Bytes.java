package dev.streamtrain.core.wire;

import java.nio.ByteBuffer;

/** Record values as the Kafka consumer hands them over ({@code ByteBufferDeserializer}: views of its fetch buffer). */
public final class Bytes {
    private Bytes() {
    }

    /**
     * A copy of the buffer's remaining bytes (its position is left as it was), or null for a null buffer (a record
     * with no value).
     */
    public static byte[] of(ByteBuffer value) {
        if (value == null) {
            return null;
        }
        byte[] out = new byte[value.remaining()];
        value.duplicate().get(out);
        return out;
    }

    /** The buffer's remaining bytes; 0 for a null buffer. */
    public static int size(ByteBuffer value) {
        return value == null ? 0 : value.remaining();
    }
}
