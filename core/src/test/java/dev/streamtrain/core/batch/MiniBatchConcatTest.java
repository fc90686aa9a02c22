package dev.streamtrain.core.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Joining minibatches for one evaluation pass: rows in order, labels or targets with them, shapes checked. */
class MiniBatchConcatTest {
    @Test
    void rowsLabelsAndSourcesFollowInOrder() {
        var a = new MiniBatch(2, 2, new float[] {1, 2, 3, 4}, new long[] {0, 1}, List.of(OffsetRange.single("t", 0, 7)))
                .producedAt(500);
        var b = new MiniBatch(1, 2, new float[] {5, 6}, new long[] {2}, List.of(OffsetRange.single("t", 0, 8)))
                .producedAt(400);
        MiniBatch joined = MiniBatch.concat(List.of(a, b));
        assertEquals(3, joined.rows());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, joined.x());
        assertArrayEquals(new long[] {0, 1, 2}, joined.y());
        assertEquals(List.of(OffsetRange.single("t", 0, 7), OffsetRange.single("t", 0, 8)), joined.sources());
        assertEquals(400, joined.producedAtMillis(), "the earliest production time");
    }

    @Test
    void floatTargetsFollowTheirRows() {
        var a = MiniBatch.withTargets(1, 1, new float[] {1}, new float[] {10, 11}, 2, List.of());
        var b = MiniBatch.withTargets(2, 1, new float[] {2, 3}, new float[] {20, 21, 30, 31}, 2, List.of());
        MiniBatch joined = MiniBatch.concat(List.of(a, b));
        assertArrayEquals(new float[] {10, 11, 20, 21, 30, 31}, joined.targets());
        assertEquals(2, joined.targetWidth());
    }

    @Test
    void differentShapesAreRefused() {
        var labels = new MiniBatch(1, 2, new float[] {1, 2}, new long[] {0}, List.of());
        var wider = new MiniBatch(1, 3, new float[] {1, 2, 3}, new long[] {0}, List.of());
        var targets = MiniBatch.withTargets(1, 2, new float[] {1, 2}, new float[] {1}, 1, List.of());
        assertThrows(IllegalArgumentException.class, () -> MiniBatch.concat(List.of(labels, wider)));
        assertThrows(IllegalArgumentException.class, () -> MiniBatch.concat(List.of(labels, targets)));
        var widerTargets = MiniBatch.withTargets(1, 2, new float[] {1, 2}, new float[] {1, 2}, 2, List.of());
        assertThrows(IllegalArgumentException.class, () -> MiniBatch.concat(List.of(targets, widerTargets)));
        assertThrows(IllegalArgumentException.class, () -> MiniBatch.concat(List.of()));
    }
}
