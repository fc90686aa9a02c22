package dev.streamtrain.ingest;

import java.util.HashSet;
import java.util.Set;

/**
 * Why the whole read stream is held (paused), by name: it reads while no reason holds it. Several parts of the
 * reader pause it for reasons of their own (a dead-letter backlog, decoding falling behind); one resuming must not
 * undo another's pause. Used on the verticle's context only.
 */
final class ReadHolds {
    private final Runnable pause;
    private final Runnable resume;
    private final Set<String> reasons = new HashSet<>();
    private boolean closed;

    /**
     * @param pause pauses the read stream (called when the first reason holds it)
     * @param resume resumes it (called when the last reason is released, unless closed)
     */
    ReadHolds(Runnable pause, Runnable resume) {
        this.pause = pause;
        this.resume = resume;
    }

    /** Holds the stream for {@code reason} (again: no effect). */
    void hold(String reason) {
        if (reasons.add(reason) && reasons.size() == 1) {
            pause.run();
        }
    }

    /** Releases {@code reason}; the stream reads on if nothing else holds it. */
    void release(String reason) {
        if (reasons.remove(reason) && reasons.isEmpty() && !closed) {
            resume.run();
        }
    }

    /** No resume after this (a consumer call after close leaks a thread). */
    void close() {
        closed = true;
    }

    /** Whether any reason holds the stream. */
    boolean held() {
        return !reasons.isEmpty();
    }
}
