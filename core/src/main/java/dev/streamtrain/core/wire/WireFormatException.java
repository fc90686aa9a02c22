package dev.streamtrain.core.wire;

/**
 * A record's bytes are not a valid document of the expected format; the message says what is wrong, the reason code
 * (default {@code undecodable}) is what dead letters are counted by.
 */
public class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public WireFormatException(String message) {
        this("undecodable", message);
    }

    /** With a reason code other than {@code undecodable}, e.g. {@code csv_header_mismatch}. */
    public WireFormatException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Short reason code. */
    public String reason() {
        return reason;
    }
}
