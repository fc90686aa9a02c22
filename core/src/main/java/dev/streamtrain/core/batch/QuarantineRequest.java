package dev.streamtrain.core.batch;

import java.util.List;

/**
 * The trainer asks ingest to dead-letter a minibatch it did not train (a guard refused it, or a rollback quarantined
 * it). Ingest writes one dead-letter record holding the minibatch as a safetensors document, with the source
 * offsets in its headers, and replies once the broker acknowledged it; only then does the trainer count the offsets
 * as handled, so the commit never passes a record that is neither trained nor dead-lettered.
 *
 * @param sources the Kafka records the minibatch came from
 * @param value the minibatch as a safetensors minibatch record ({@code x}, {@code y})
 * @param reason reason code: {@code non_finite_loss}, {@code non_finite_gradient}, {@code non_finite_parameters} or
 *     {@code rollback}
 * @param message what happened, in the product's words
 */
public record QuarantineRequest(List<OffsetRange> sources, byte[] value, String reason, String message) {
    public QuarantineRequest {
        sources = List.copyOf(sources);
    }
}
