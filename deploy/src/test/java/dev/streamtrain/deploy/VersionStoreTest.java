package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionStoreTest {
    @TempDir
    Path dir;

    private static VersionStore.Info info(String version, String status, long created, String checkpointId) {
        return new VersionStore.Info(version, 10, "ckpt", "val_loss", 0.1, 6, 0, 1e-5, status, "", created, null,
                checkpointId);
    }

    @Test
    void aCheckpointReachingAnUpdateAgainAfterARollbackGetsALabelOfItsOwn() throws Exception {
        VersionStore store = new VersionStore(dir);
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.writeString(ckpt.resolve("model.json"), "{}");
        assertEquals("v000000010", store.labelFor(10, "10-aaa"), "nothing there yet");
        store.write(info("v000000010", "promoted", 1, "10-aaa"), new byte[] {1}, ckpt);
        assertEquals("v000000010", store.labelFor(10, "10-aaa"), "the same checkpoint again");
        String again = store.labelFor(10, "10-bbb");
        assertEquals("v000000010-bbb", again, "another checkpoint at update 10 never overwrites the first");
        store.write(info(again, "rejected", 2, "10-bbb"), new byte[] {2}, ckpt);
        assertEquals(List.of("v000000010", "v000000010-bbb"), store.list().stream().map(VersionStore.Info::version)
                .toList());
    }

    @Test
    void pruningRemovesNeverPromotedVersionsFirstAndNeverTheServingOne() throws Exception {
        VersionStore store = new VersionStore(dir);
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.writeString(ckpt.resolve("model.json"), "{}");
        String[][] versions = {{"v000000010", "promoted"}, {"v000000020", "rejected"}, {"v000000030", "promoted"},
            {"v000000040", "failed"}, {"v000000050", "promoted"}};
        for (int i = 0; i < versions.length; i++) {
            store.write(info(versions[i][0], versions[i][1], i, ""), new byte[] {1}, ckpt);
        }
        store.prune(3, "v000000010");
        assertEquals(List.of("v000000010", "v000000030", "v000000050"),
                store.list().stream().map(VersionStore.Info::version).toList());
        store.prune(1, "v000000010");
        assertEquals(List.of("v000000010"), store.list().stream().map(VersionStore.Info::version).toList(),
                "the serving version stays, even when it is the oldest");
    }
}
