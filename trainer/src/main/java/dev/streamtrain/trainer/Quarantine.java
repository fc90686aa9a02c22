package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.QuarantineRequest;
import dev.streamtrain.core.wire.MiniBatchCodec;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends minibatches the trainer did not train to the dead-letter topic (through ingest, which owns the producer) and
 * counts their offsets as handled only once the broker acknowledged the copy: until then the commit watermark cannot
 * pass them, so a crash repeats them rather than losing them. Acknowledgements come back on another thread and are
 * applied on the trainer thread through its command queue.
 */
final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    /** Retries of a failed dead-letter write. */
    static final int RETRIES = 3;
    private final TrainerEvents events;
    private final OffsetLedger ledger;
    private final Queue<Runnable> trainerThread;
    private int inFlight;
    private long sent;

    Quarantine(TrainerEvents events, OffsetLedger ledger, Queue<Runnable> trainerThread) {
        this.events = events;
        this.ledger = ledger;
        this.trainerThread = trainerThread;
    }

    /** Dead-letters each minibatch with a reason code; their offsets must not be marked trained. */
    void send(List<MiniBatch> batches, String reason, String message) {
        for (MiniBatch b : batches) {
            if (b.sources().isEmpty()) {
                continue; // in-memory data: nothing to dead-letter, nothing to commit
            }
            byte[] value = b.hasTargets()
                    ? MiniBatchCodec.standard().encodeTargets(b.rows(), b.features(), b.x(), b.targets(), b.targetWidth())
                    : MiniBatchCodec.standard().encode(b.rows(), b.features(), b.x(), b.y());
            inFlight++;
            sent += b.sources().stream().mapToLong(OffsetRange::count).sum();
            send(new QuarantineRequest(b.sources(), value, reason, message), 0);
        }
    }

    /** Sends one copy; a failed write is retried after 1, 2 and 4 s before the offsets are left uncommitted. */
    private void send(QuarantineRequest request, int attempt) {
        events.quarantine(request).whenComplete((ok, error) -> {
            if (error != null && attempt < RETRIES) {
                CompletableFuture.runAsync(() -> send(request, attempt + 1),
                        CompletableFuture.delayedExecutor(1L << attempt, TimeUnit.SECONDS));
            } else {
                trainerThread.add(() -> acknowledged(request.sources(), error));
            }
        });
    }

    private void acknowledged(List<OffsetRange> sources, Throwable error) {
        inFlight--;
        if (error == null) {
            sources.forEach(s -> ledger.notTrained(s, OffsetLedger.Handling.DEAD_LETTERED));
        } else {
            // left unhandled: the commit stops before them and a restart reads them again
            LOG.error("could not dead-letter records {} after {} retries: {}; the commit stops before them until a"
                    + " restart reads them again", dev.streamtrain.core.batch.OffsetRanges.describe(sources), RETRIES,
                    error.getMessage());
        }
    }

    /**
     * Applies acknowledgements from {@code trainerThread} until every dead-letter write is durable; bounded at 60 s,
     * so a broken broker cannot hang the end of a run (what is unacknowledged then stays uncommitted).
     */
    void awaitAcknowledgements(Queue<Runnable> trainerThread) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!idle() && System.nanoTime() < deadline) {
            Runnable command = trainerThread.poll();
            if (command != null) {
                command.run();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        }
    }

    /** True when no dead-letter write is waiting for its acknowledgement. */
    boolean idle() {
        return inFlight == 0;
    }

    /** Records sent to the dead-letter topic so far. */
    long sent() {
        return sent;
    }
}
