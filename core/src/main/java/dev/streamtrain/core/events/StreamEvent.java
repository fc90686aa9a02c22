package dev.streamtrain.core.events;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** A fact published on the event bus and, as JSON with {@code type} and {@code schema} fields, on Kafka. */
public interface StreamEvent {
    /** The value of the JSON {@code type} field. */
    @JsonIgnore
    String eventType();
}
