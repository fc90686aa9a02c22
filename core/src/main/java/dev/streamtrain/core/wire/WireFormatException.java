package dev.streamtrain.core.wire;

/** A record's bytes are not a valid document of the expected format; the message says what is wrong. */
public class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }
}
