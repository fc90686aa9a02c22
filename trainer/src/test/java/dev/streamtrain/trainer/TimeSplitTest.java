package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.events.TrainerTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimeSplitTest {
    @Test
    void waitingCountsOnlyOnceTrainingStartedAndThePartsAddUp() throws Exception {
        AtomicLong now = new AtomicLong();
        TimeSplit split = new TimeSplit(now::get);
        var queue = new BackPressureQueue<Integer>(10, 1);
        split.poll(queue, false); // before the first minibatch: not waiting for ingest, just not started
        long t = split.now();
        now.addAndGet(7_000_000);
        split.evaluated(t);
        t = split.now();
        now.addAndGet(2_000_000);
        split.checkpointed(t);
        t = split.now();
        now.addAndGet(30_000_000);
        split.paused(t);
        assertEquals(new TrainerTime(100, 0, 7, 2, 30), split.of(100));
        assertEquals(61, split.of(100).computingMillis(), "a pause is not computing");
        assertEquals(0.07, split.of(100).share(7), 1e-12);
    }

    @Test
    void anEmptyQueueIsTimeSpentWaiting() throws Exception {
        TimeSplit split = new TimeSplit(System::nanoTime);
        split.poll(new BackPressureQueue<Integer>(10, 1), true); // waits its 20 ms for nothing
        assertTrue(split.of(1000).waitingMillis() >= 15, split.of(1000).toString());
    }
}
