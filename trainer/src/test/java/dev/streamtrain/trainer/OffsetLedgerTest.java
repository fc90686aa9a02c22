package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.events.PartitionOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {
    private static long next(OffsetLedger ledger) {
        return ledger.nextOffsets().get(0).nextOffset();
    }

    @Test
    void aMarkerThatOvertakesEarlierRecordsCannotMoveTheCommit() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.started("t", 0, 100);
        ledger.notTrained(OffsetRange.single("t", 0, 105), OffsetLedger.Handling.DEAD_LETTERED);
        assertEquals(100, next(ledger), "100..104 still wait to be assembled: nothing past them is committed");
        ledger.record(List.of(new OffsetRange("t", 0, 100, 104)));
        assertEquals(List.of(new PartitionOffset("t", 0, 106)), ledger.nextOffsets());
        var audit = ledger.progress().get(0);
        assertEquals(5, audit.records());
        assertEquals(1, audit.deadLettered());
        assertEquals(0, audit.duplicates());
    }

    @Test
    void theExactPositionNamesWhatIsHandledAboveTheCommitAndAResumePassesOverIt() {
        // issue 10 case 1: a dead letter not yet acknowledged at 101 holds the commit at 101 while 102..109 are trained
        OffsetLedger ledger = new OffsetLedger();
        ledger.started("t", 0, 100);
        ledger.record(List.of(new OffsetRange("t", 0, 100, 100), new OffsetRange("t", 0, 102, 105)));
        ledger.notTrained(OffsetRange.single("t", 0, 106), OffsetLedger.Handling.DEAD_LETTERED);
        ledger.record(List.of(new OffsetRange("t", 0, 108, 109)));
        var position = ledger.position();
        assertEquals(List.of(new PartitionOffset("t", 0, 101)), position.offsets());
        assertEquals(List.of(new OffsetRange("t", 0, 102, 106), new OffsetRange("t", 0, 108, 109)),
                position.handledAbove());
        assertEquals(7, position.handledAboveCount());

        OffsetLedger resumed = new OffsetLedger();
        resumed.restore(position);
        resumed.started("t", 0, 101); // ingest starts at the commit offset
        assertEquals(101, next(resumed));
        resumed.notTrained(OffsetRange.single("t", 0, 101), OffsetLedger.Handling.DEAD_LETTERED);
        assertEquals(107, next(resumed), "101 handled again; 102..106 were handled before the restart");
        resumed.record(List.of(new OffsetRange("t", 0, 107, 107)));
        assertEquals(110, next(resumed));
        var audit = resumed.progress().get(0);
        assertEquals(1, audit.records(), "only what this run trained is in its audit");
        assertEquals(0, audit.duplicates());
        resumed.record(List.of(new OffsetRange("t", 0, 103, 103)));
        assertEquals(1, resumed.progress().get(0).duplicates(), "training a passed-over record again is a duplicate");
        assertEquals(List.of(), resumed.position().handledAbove());
    }

    @Test
    void provenanceKeepsOneRangePerPartitionWhenPartitionsInterleave() {
        OffsetLedger ledger = new OffsetLedger();
        for (int i = 0; i < 50; i++) {
            ledger.record(List.of(OffsetRange.single("t", i % 2, i / 2)));
        }
        ledger.notTrained(OffsetRange.single("t", 0, 25), OffsetLedger.Handling.DEAD_LETTERED);
        assertEquals(List.of(new OffsetRange("t", 0, 0, 24), new OffsetRange("t", 1, 0, 24)),
                ledger.provenance().trained());
        assertEquals(List.of(OffsetRange.single("t", 0, 25)), ledger.provenance().notTrained());
        ledger.provenance().rolledBackTo("c1", List.of(OffsetRange.single("t", 1, 30)));
        assertEquals(List.of(), ledger.provenance().trained(), "what was trained since is undone by the rollback");
        assertEquals(List.of(OffsetRange.single("t", 1, 30), OffsetRange.single("t", 0, 25)),
                ledger.provenance().notTrained(), "dead letters stay handled, those of pruned checkpoints too");
        assertEquals("c1", ledger.provenance().parent());
    }

    @Test
    void aResumedPartitionWhoseOldRecordsAreGoneStartsWhereTheyBegin() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.restore(new dev.streamtrain.core.events.TrainingPosition(List.of(new PartitionOffset("t", 0, 10)),
                List.of()));
        ledger.started("t", 0, 50); // retention deleted 10..49 before the restart
        assertEquals(50, next(ledger));
        ledger.record(List.of(new OffsetRange("t", 0, 50, 51)));
        assertEquals(52, next(ledger));
    }

    @Test
    void recordsSeenBeforeTheirStartAreKeptWhenTheWindowExtendsDown() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.record(List.of(new OffsetRange("t", 0, 3, 4))); // a partition added at run time: records came first
        ledger.started("t", 0, 0);
        assertEquals(0, next(ledger));
        ledger.record(List.of(new OffsetRange("t", 0, 0, 2)));
        assertEquals(5, next(ledger));
        assertEquals(0, ledger.progress().get(0).duplicates());
    }

    @Test
    void anEndlessRunKeepsABoundedWindowAndStillCountsRepeats() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.started("t", 0, 0);
        long n = 10L * OffsetLedger.COMPACT_AFTER;
        for (long o = 0; o < n; o += 32) {
            ledger.record(List.of(new OffsetRange("t", 0, o, o + 31)));
        }
        assertEquals(n, next(ledger));
        assertTrue(ledger.windowBits("t-0") <= OffsetLedger.COMPACT_AFTER + 64,
                "the handled prefix was dropped: " + ledger.windowBits("t-0") + " bits held for " + n + " offsets");
        ledger.record(List.of(OffsetRange.single("t", 0, 5)));
        assertEquals(1, ledger.progress().get(0).duplicates(), "an offset from the dropped prefix is a repeat");
        assertEquals(n, ledger.progress().get(0).records());
    }

    @Test
    void aRollbackWithinTheKeptTailUntrainsItsRecordsEvenAfterCompaction() {
        OffsetLedger ledger = new OffsetLedger(30_000);
        ledger.started("t", 0, 0);
        for (long o = 0; o < 200_000; o += 100) {
            ledger.record(List.of(new OffsetRange("t", 0, o, o + 99)));
        }
        assertTrue(ledger.windowBits("t-0") <= 4 * 30_000 + 100, "compacted: " + ledger.windowBits("t-0"));
        ledger.untrain(List.of(new OffsetRange("t", 0, 175_000, 199_999))); // 25,000 records undone
        assertEquals(175_000, next(ledger), "the commit waits for their dead-letter copies");
        assertEquals(175_000, ledger.progress().get(0).records());
        ledger.notTrained(new OffsetRange("t", 0, 175_000, 199_999), OffsetLedger.Handling.DEAD_LETTERED);
        assertEquals(200_000, next(ledger));
        var audit = ledger.progress().get(0);
        assertEquals(25_000, audit.deadLettered());
        assertEquals(0, audit.duplicates(), "each record trained once or dead-lettered once");
    }
}
