package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.QuarantineRequest;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 case 4 for dead letters: while the broker is away, writes wait in the producer, never on the event loop,
 * and past {@link DeadLetterPublisher#MAX_IN_FLIGHT} of them the reader is told to pause; it is told to read on once
 * half of them are done (acknowledged, or here: failed, as the broker never answers).
 */
class DeadLetterBacklogTest {
    @Test
    void tooManyUnacknowledgedDeadLettersPauseTheReaderUntilHalfAreDone() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            AtomicInteger full = new AtomicInteger();
            AtomicInteger drained = new AtomicInteger();
            var publisher = new java.util.concurrent.atomic.AtomicReference<DeadLetterPublisher>();
            CompletableFuture<int[]> atPeak = new CompletableFuture<>();
            CompletableFuture<Void> allDone = new CompletableFuture<>();
            int writes = DeadLetterPublisher.MAX_IN_FLIGHT + 10;
            var context = vertx.getOrCreateContext();
            context.runOnContext(v -> {
                // nothing listens on port 1: with max.block.ms 0 each write fails at once, on the producer's thread
                publisher.set(new DeadLetterPublisher(vertx, "127.0.0.1:1", Map.of("max.block.ms", "0"), "dlq"));
                publisher.get().onBacklog(full::incrementAndGet, drained::incrementAndGet, () -> { });
                AtomicInteger done = new AtomicInteger();
                for (int i = 0; i < writes; i++) {
                    publisher.get().publish(new QuarantineRequest(List.of(OffsetRange.single("t", 0, i)),
                            new byte[] {1}, "rollback", "test")).onComplete(ar -> {
                                if (done.incrementAndGet() == writes) {
                                    allDone.complete(null);
                                }
                            });
                }
                atPeak.complete(new int[] {publisher.get().inFlight(), publisher.get().backlogged() ? 1 : 0});
            });
            int peak = atPeak.get(30, TimeUnit.SECONDS)[0];
            org.junit.jupiter.api.Assertions.assertTrue(peak >= DeadLetterPublisher.MAX_IN_FLIGHT,
                    "the writes wait (all but any the producer refused at once): " + peak);
            assertEquals(1, atPeak.get()[1], "backlogged");
            assertEquals(1, full.get(), "the reader was told to pause, once");
            allDone.get(60, TimeUnit.SECONDS);
            CompletableFuture<int[]> after = new CompletableFuture<>();
            context.runOnContext(v -> after.complete(new int[] {publisher.get().inFlight(),
                    publisher.get().backlogged() ? 1 : 0}));
            assertEquals(0, after.get(30, TimeUnit.SECONDS)[0], "nothing waits any more");
            assertEquals(0, after.get()[1]);
            assertEquals(1, drained.get(), "the reader was told to read on, once");
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
