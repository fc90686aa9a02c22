package dev.streamtrain.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.BackPressureQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackPressureQueueTest {

    @Test
    void signalsPauseAtHighWaterAndResumeOnceAtLowWater() throws Exception {
        BackPressureQueue<Integer> q = new BackPressureQueue<>(3, 1);
        AtomicInteger resumes = new AtomicInteger();
        q.onResume(resumes::incrementAndGet);
        assertFalse(q.put(1));
        assertFalse(q.put(2));
        assertTrue(q.put(3), "third item reaches high water");
        assertTrue(q.put(4), "items past high water are still accepted");
        assertEquals(4, q.size());
        assertEquals(1, q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(2, q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(0, resumes.get(), "still above low water");
        assertEquals(3, q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(1, resumes.get(), "resumed at low water");
        assertEquals(4, q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(1, resumes.get(), "resume fires once per pause");
        assertFalse(q.isPaused());
        assertNull(q.poll(1, TimeUnit.MILLISECONDS));
    }

    @Test
    void aByteBudgetPausesBeforeTheCountAndResumesOnlyAtHalfOfIt() throws Exception {
        BackPressureQueue<Integer> q = new BackPressureQueue<>(100, 50, 1000, size -> size); // item = its weight
        AtomicInteger resumes = new AtomicInteger();
        q.onResume(resumes::incrementAndGet);
        assertFalse(q.put(400));
        assertFalse(q.put(300));
        assertTrue(q.put(300), "1000 bytes reach the budget with 3 of 100 items");
        assertEquals(1000, q.bytes());
        assertEquals(400, q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(0, resumes.get(), "600 bytes: above half the budget, no resume (hysteresis)");
        assertEquals(300, q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(1, resumes.get(), "300 bytes: at most half, reading resumes");
        assertEquals(300, q.bytes());
        assertFalse(q.isPaused());
    }

    @Test
    void oneItemOverTheBudgetDoesNotPauseAndAnEmptyQueueNeverStaysPaused() throws Exception {
        BackPressureQueue<Integer> q = new BackPressureQueue<>(100, 50, 1000, size -> size);
        AtomicInteger resumes = new AtomicInteger();
        q.onResume(resumes::incrementAndGet);
        assertFalse(q.put(5000), "a single minibatch larger than the budget: reading goes on");
        assertTrue(q.put(1), "a second one waits behind it: pause");
        assertEquals(5000, q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(1, resumes.get(), "1 byte left: resumed");
        assertEquals(1, q.poll(1, TimeUnit.MILLISECONDS));
        assertNull(q.poll(1, TimeUnit.MILLISECONDS));
        assertFalse(q.isPaused());
    }

    @Test
    void aResumeIsNeverLostWhileTheConsumerRacesThePause() throws Exception {
        // the pause is set before the item is visible: a consumer that takes it at once still sees the pause
        BackPressureQueue<Integer> q = new BackPressureQueue<>(1, 0);
        AtomicInteger resumes = new AtomicInteger();
        q.onResume(resumes::incrementAndGet);
        int rounds = 20_000;
        Thread consumer = new Thread(() -> {
            try {
                for (int taken = 0; taken < rounds; ) {
                    if (q.poll(10, TimeUnit.MILLISECONDS) != null) {
                        taken++;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        int pauses = 0;
        for (int i = 0; i < rounds; i++) {
            if (q.put(i)) {
                pauses++;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (q.isPaused() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the producer waits for its resume, as ingest does
            }
            assertFalse(q.isPaused(), "resume lost after put " + i);
        }
        consumer.join(10_000);
        assertEquals(rounds, pauses, "every put reaches the high-water mark of 1");
        assertEquals(pauses, resumes.get(), "one resume per pause");
    }

    @Test
    void minibatchesWeighTheirArrays() {
        var b = new dev.streamtrain.core.batch.MiniBatch(2, 3, new float[6], new long[2], java.util.List.of());
        assertEquals(64 + 6 * 4 + 2 * 8, b.sizeInBytes());
        assertEquals(64, new dev.streamtrain.core.batch.EndOfStream(java.util.Map.of()).sizeInBytes());
    }

    @Test
    void rejectsBadMarks() {
        assertThrows(IllegalArgumentException.class, () -> new BackPressureQueue<>(2, 2));
        assertThrows(IllegalArgumentException.class, () -> new BackPressureQueue<>(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BackPressureQueue<Integer>(2, 1, 0, i -> i));
    }
}
