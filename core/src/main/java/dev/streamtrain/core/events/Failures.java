package dev.streamtrain.core.events;

/** Errors in the product's words: what a log line, a reply or a dead-letter header says about a failure. */
public final class Failures {
    private Failures() {
    }

    /** The failure's own message, or "internal error" when it has none: never a class name. */
    public static String describe(Throwable e) {
        return e.getMessage() == null ? "internal error" : e.getMessage();
    }
}
