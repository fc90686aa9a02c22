package dev.streamtrain.core.wire;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;

/**
 * Decodes minibatch records of one stream with a {@link MiniBatchCodec}, remembering the last safetensors header: a
 * producer writes the same layout record after record, so the JSON header is parsed once and then only compared
 * byte for byte. Safe from several threads (the remembered header is immutable; a race only parses once more).
 */
public final class MiniBatchDecoder {
    private final MiniBatchCodec codec;
    private volatile Safetensors.Header last;

    /** @param codec the tensor names and checks */
    public MiniBatchDecoder(MiniBatchCodec codec) {
        this.codec = codec;
    }

    /**
     * Decodes and checks a record value (see {@link MiniBatchCodec#decode}).
     *
     * @throws WireFormatException naming what is wrong
     */
    public MiniBatch decode(byte[] value, OffsetRange source) {
        if (value != null && Npz.looksLikeNpz(value)) {
            return codec.decode(value, source);
        }
        return safetensors(value, 0, value == null ? 0 : value.length, source);
    }

    /**
     * As {@link #decode(byte[], OffsetRange)}, for a value the consumer hands over as a buffer: a safetensors value
     * backed by an array is read in place, straight into the minibatch's arrays, so the record's bytes are copied once
     * (into the floats the trainer uses) instead of twice; anything else is copied out first.
     */
    public MiniBatch decode(java.nio.ByteBuffer value, OffsetRange source) {
        if (value == null || !value.hasArray()) {
            return decode(Bytes.of(value), source);
        }
        byte[] array = value.array();
        int offset = value.arrayOffset() + value.position();
        int length = value.remaining();
        if (Npz.looksLikeNpz(array, offset, length)) { // read from a copy: rare, and Npz reads whole arrays
            return decode(Bytes.of(value), source);
        }
        return safetensors(array, offset, length, source);
    }

    private MiniBatch safetensors(byte[] bytes, int offset, int length, OffsetRange source) {
        Safetensors.Decoded decoded = Safetensors.decode(bytes, offset, length, last);
        last = decoded.header();
        return codec.toMiniBatch(decoded.tensors(), source);
    }
}
