package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessBenchTest {
    /** Updates of 32 samples every {@code stepMillis} from {@code fromMillis} to {@code toMillis}. */
    private static List<long[]> updates(long fromMillis, long toMillis, long stepMillis, long samplesBefore) {
        List<long[]> out = new ArrayList<>();
        long samples = samplesBefore;
        for (long t = fromMillis; t <= toMillis; t += stepMillis) {
            samples += 32;
            out.add(new long[] {t * 1_000_000, samples});
        }
        return out;
    }

    @Test
    void maximumCountsOnlyUpdatesWhileTheRecordsWereProducedAfterTheFirstThird() {
        // a slow start (one update per 10 ms) in the first third, one per ms while producing, a fast drain after
        List<long[]> progress = new ArrayList<>(updates(0, 990, 10, 0));
        progress.addAll(updates(1000, 3000, 1, progress.get(progress.size() - 1)[1]));
        progress.addAll(updates(3001, 3500, 1, progress.get(progress.size() - 1)[1]).stream()
                .map(p -> new long[] {p[0], p[1] + 32_000}).toList());
        var maximum = FreshnessBench.maximum(progress, new long[] {0, 3_000_000_000L}, 32L * 5000);
        assertEquals(1000, maximum.recordsPerSecond(), 1e-6);
        assertTrue(maximum.outpaced()); // 2,100 of 5,000 records trained when production ended
        assertFalse(FreshnessBench.maximum(progress, new long[] {0, 3_000_000_000L}, 32L * 2100).outpaced());
    }

    @Test
    void maximumWithoutAnUpdateWhileProducingIsAnError() {
        var e = assertThrows(IllegalStateException.class,
                () -> FreshnessBench.maximum(updates(5000, 6000, 1, 0), new long[] {0, 3_000_000_000L}, 32_000));
        assertEquals("B3: fewer than two updates while the records were produced", e.getMessage());
        var one = assertThrows(IllegalStateException.class,
                () -> FreshnessBench.maximum(updates(2000, 2000, 1, 0), new long[] {0, 3_000_000_000L}, 32_000));
        assertEquals(e.getMessage(), one.getMessage());
    }

    @Test
    void cycledRepeatsTheRecordsInOrderWithoutCopying() {
        byte[] a = {1};
        byte[] b = {2};
        List<byte[]> c = FreshnessBench.cycled(List.of(a, b), 5);
        assertEquals(5, c.size());
        assertSame(a, c.get(0));
        assertSame(b, c.get(3));
        assertSame(a, c.get(4));
    }

    @Test
    void percentilesAreNearestRank() {
        var ages = FreshnessBench.Ages.of(List.of(5L, 1L, 4L, 2L, 3L, 100L, 6L, 7L, 8L, 9L));
        assertEquals(5, ages.p50Millis());
        assertEquals(100, ages.p99Millis());
        assertEquals(100, ages.maxMillis());
        assertEquals(10, ages.count());
    }
}
