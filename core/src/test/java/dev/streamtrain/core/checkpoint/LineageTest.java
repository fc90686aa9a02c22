package dev.streamtrain.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.streamtrain.core.batch.OffsetRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineageTest {
    private static final long BIG = 5_000_000_000L; // offsets past 2^31 in a long-lived topic

    private static CheckpointManifest manifest(String id, String parent, long update, List<OffsetRange> trained,
            List<OffsetRange> notTrained) {
        return new CheckpointManifest(CheckpointManifest.FORMAT, id, "j", update, update * 10, parent, 0, true,
                List.of(), List.of(), trained, notTrained, null, null);
    }

    private static OffsetRange range(long from, long to) {
        return new OffsetRange("t", 0, BIG + from, BIG + to);
    }

    @Test
    void theChainFollowsParentsPastRewritesAndTheAuditCountsRelativeToThePartitionsLowestOffset(@TempDir Path root)
            throws IOException {
        Lineage.append(root, manifest("0-a", null, 0, List.of(), List.of()));
        Lineage.append(root, manifest("10-a", "0-a", 10, List.of(range(0, 9)), List.of()));
        Lineage.append(root, manifest("20-a", "10-a", 20, List.of(range(10, 14), range(16, 20)),
                List.of(range(15, 15))));
        // a rollback to 10 rewrote update 20 (its first version is left behind), and a restart wrote 20 again
        Lineage.append(root, manifest("20-b", "10-a", 20, List.of(range(11, 20)), List.of(range(10, 10))));
        Lineage.append(root, manifest("20-c", "20-b", 20, List.of(), List.of(range(21, 22))));
        // a kill cut the next line short; what is appended after it is still read
        Files.writeString(root.resolve(Lineage.FILE), "{\"format\":1,\"id\":\"30-", StandardOpenOption.APPEND);
        Lineage.append(root, manifest("30-a", "20-c", 30, List.of(range(23, 32)), List.of()));

        var chain = Lineage.chain(root, "30-a");
        assertEquals(List.of("0-a", "10-a", "20-b", "20-c", "30-a"), chain.stream().map(m -> m.id()).toList());
        assertEquals(List.of(new Lineage.Audit("t-0", 30, 0, 3, List.of())), Lineage.audit(chain));
        assertEquals(List.of(range(10, 10), range(21, 22)), Lineage.notTrainedAfter(root, "10-a", "20-c"),
                "what a rollback from 20-c to 10-a keeps as handled");
        assertEquals(List.of(), Lineage.notTrainedAfter(root, "20-c", "20-c"));

        var twice = Lineage.audit(Lineage.chain(root, "20-a"));
        assertEquals(List.of(new Lineage.Audit("t-0", 20, 0, 1, List.of())), twice);
        Lineage.append(root, manifest("40-x", "30-a", 40, List.of(range(30, 31), range(40, 41)), List.of()));
        assertEquals(List.of(new Lineage.Audit("t-0", 32, 2, 3, List.of(range(33, 39)))),
                Lineage.audit(Lineage.chain(root, "40-x")), "trained twice and never handled are both found");
        assertThrows(IOException.class, () -> Lineage.chain(root, "no-such-checkpoint"));
    }

    @Test
    void aManifestNamesEveryFileByChecksumAndFindsADamagedOne(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.bin"), "weights");
        Files.writeString(dir.resolve("state.json"), "{}");
        manifest("1-a", null, 1, List.of(), List.of()).withFilesOf(dir).writeTo(dir);
        assertEquals(List.of(), CheckpointManifest.problems(dir));
        assertEquals("1-a", CheckpointManifest.idOf(dir));
        Files.writeString(dir.resolve("a.bin"), "weightz");
        Files.delete(dir.resolve("state.json"));
        assertEquals(List.of("a.bin does not match its checksum", "state.json is missing"),
                CheckpointManifest.problems(dir));
        Files.write(dir.resolve(CheckpointManifest.FILE), "{not json".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("its manifest.json cannot be read"), CheckpointManifest.problems(dir));
    }
}
