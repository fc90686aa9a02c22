package dev.streamtrain.core.wire;

/** Element types of tensors on the wire, named as in the safetensors header. */
public enum DType {
    F16(2), F32(4), F64(8), I32(4), I64(8), U8(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }
}
