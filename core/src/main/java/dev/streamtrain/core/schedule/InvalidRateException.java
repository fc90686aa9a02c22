package dev.streamtrain.core.schedule;

/**
 * A schedule gave a rate no optimizer may take (negative or not finite). The trainer ends the run with the step named
 * rather than apply it, or try again on every minibatch.
 */
public final class InvalidRateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public InvalidRateException(String message) {
        super(message);
    }
}
