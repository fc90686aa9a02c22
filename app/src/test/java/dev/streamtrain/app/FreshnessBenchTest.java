package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        double perSecond = FreshnessBench.maximum(progress, new long[] {0, 3_000_000_000L});
        assertEquals(1000, perSecond, 1e-6);
    }

    @Test
    void maximumWithoutAnUpdateWhileProducingIsAnError() {
        var e = assertThrows(IllegalStateException.class,
                () -> FreshnessBench.maximum(updates(5000, 6000, 1, 0), new long[] {0, 3_000_000_000L}));
        assertEquals("B3: no update while the records were produced", e.getMessage());
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
