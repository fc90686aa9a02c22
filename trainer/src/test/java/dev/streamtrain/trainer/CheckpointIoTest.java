package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checkpoint thread's queue: a slow write does not hold the trainer up until {@link CheckpointIo#MAX_QUEUED}
 * writes wait behind it, or their copies would exceed {@link CheckpointIo#MAX_QUEUED_BYTES}; writes run in the order
 * handed over; {@link CheckpointIo#await} waits for all of them.
 */
@Timeout(60) // a queue bound that never frees would block, not fail
class CheckpointIoTest {
    private static final long SMALL = 1 << 10;

    @Test
    void aSlowWriteHoldsTheTrainerUpOnlyOnceTheQueueIsFull() throws Exception {
        var disk = new CountDownLatch(1);
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var io = new CheckpointIo()) {
            io.submit(() -> {
                disk.await(); // an fsync stuck behind other writes
                order.add(0);
                return null;
            }, SMALL);
            for (int i = 1; i <= CheckpointIo.MAX_QUEUED; i++) { // returns at once: the copies wait in the queue
                int n = i;
                io.submit(() -> order.add(n), SMALL);
            }
            assertEquals(CheckpointIo.MAX_QUEUED + 1, io.pending());
            var oneMore = CompletableFuture.runAsync(() -> io.submit(() -> order.add(99), SMALL));
            assertFalse(waitsFor(oneMore), "a full queue holds the next checkpoint back");
            disk.countDown();
            oneMore.get(10, TimeUnit.SECONDS);
            io.await();
            assertEquals(0, io.pending());
            assertEquals(List.of(0, 1, 2, 3, 4, 99), order, "written in the order handed over");
        }
    }

    @Test
    void aCopyBeyondTheMemoryBudgetWaitsForTheWriteInFlight() throws Exception {
        var disk = new CountDownLatch(1);
        try (var io = new CheckpointIo()) {
            io.submit(() -> {
                disk.await();
                return null;
            }, CheckpointIo.MAX_QUEUED_BYTES / 2);
            var large = CompletableFuture.runAsync(() -> io.submit(() -> null, CheckpointIo.MAX_QUEUED_BYTES / 2 + 1));
            assertFalse(waitsFor(large), "two copies would exceed the budget: one write at a time");
            disk.countDown();
            large.get(10, TimeUnit.SECONDS);
            io.await();
        }
    }

    @Test
    void aFailedWriteDoesNotStopTheOnesAfterItOrTheWait() throws Exception {
        try (var io = new CheckpointIo()) {
            var failed = io.submit(() -> {
                throw new java.io.IOException("disk full");
            }, SMALL);
            var next = io.submit(() -> "written", SMALL);
            io.await();
            assertTrue(failed.isCompletedExceptionally());
            assertEquals("written", next.get());
        }
    }

    /** Whether {@code f} completes within half a second (a submit that should block must not). */
    private static boolean waitsFor(CompletableFuture<?> f) throws Exception {
        try {
            f.get(500, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
