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
        Safetensors.Decoded decoded = Safetensors.decode(value, last);
        last = decoded.header();
        return codec.toMiniBatch(decoded.tensors(), source);
    }
}
