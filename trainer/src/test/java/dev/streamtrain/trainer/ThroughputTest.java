package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThroughputTest {
    @Test
    void theSpeedIsRecentSamplesOverRecentTimeNotAMeanOfPerMinibatchRates() {
        AtomicLong now = new AtomicLong();
        Throughput t = new Throughput(now::get);
        t.started();
        // a trainer that waits for ingest: 32 rows 1 ms after the last, then 32 rows after a 99 ms wait, and so on
        for (int i = 0; i < 200; i++) {
            now.addAndGet(i % 2 == 0 ? 1_000_000 : 99_000_000);
            t.rows(32);
        }
        // 64 rows per 100 ms is 640 rows/s; a mean of the rates (32,000 and 323) would say about 16,000
        assertEquals(640, t.samplesPerSecond(), 640 * 0.1);
        assertEquals(10_000, t.wallMillis());
    }
}
