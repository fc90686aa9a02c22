package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.events.TrainingPosition;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints that could not be written are taken back, so the next checkpoint names the last one written as its
 * parent and carries every record since: also when several were handed over before the first failed (the ones after
 * it fail too, StateStore) and their failures are learnt oldest first.
 */
class ProvenanceTest {
    private static final TrainingPosition NOWHERE = TrainingPosition.NONE;

    @Test
    void failuresLearntOldestFirstUnwindToTheLastCheckpointWritten() {
        var p = new Provenance();
        p.restartFrom("written");
        CheckpointManifest a = saved(p, 0, 9); // fails (a full disk)
        CheckpointManifest b = saved(p, 10, 19); // handed over behind it, fails without being written
        CheckpointManifest c = saved(p, 20, 29);
        p.unsaved(a); // learnt while b and c are still queued
        p.unsaved(b);
        p.unsaved(c);
        var next = p.manifest("job", 40, 1280, true, NOWHERE, null);
        assertEquals("written", next.parent());
        assertEquals(offsets(0, 29), offsets(next.trained()), "every record since, once, in order");
    }

    @Test
    void oneFailureTakesBackOnlyItself() {
        var p = new Provenance();
        p.restartFrom("written");
        CheckpointManifest a = saved(p, 0, 9);
        p.unsaved(a);
        add(p, 10, 14);
        var next = p.manifest("job", 15, 480, true, NOWHERE, null);
        assertEquals("written", next.parent());
        assertEquals(offsets(0, 14), offsets(next.trained()));
    }

    @Test
    void aFailureOfALineARollbackLeftBehindChangesNothing() {
        var p = new Provenance();
        p.restartFrom("written");
        CheckpointManifest a = saved(p, 0, 9);
        p.rolledBackTo("written", List.of());
        add(p, 0, 4); // trained again after the rollback
        p.unsaved(a);
        var next = p.manifest("job", 5, 160, true, NOWHERE, null);
        assertEquals("written", next.parent());
        assertEquals(offsets(0, 4), offsets(next.trained()));
    }

    /** Records {@code from..to} trained, then a checkpoint saved (handed over): its manifest. */
    private static CheckpointManifest saved(Provenance p, long from, long to) {
        add(p, from, to);
        var m = p.manifest("job", to + 1, (to + 1) * 32, true, NOWHERE, null);
        p.restartFrom(m.id());
        return m;
    }

    private static List<Long> offsets(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<Long> offsets(List<OffsetRange> ranges) {
        return ranges.stream().flatMap(r -> offsets(r.from(), r.to()).stream()).toList();
    }

    private static void add(Provenance p, long from, long to) {
        for (long o = from; o <= to; o++) {
            p.add("t", 0, o, true);
        }
    }
}
