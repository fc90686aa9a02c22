package dev.streamtrain.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ReferenceForward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineExportTest {
    @TempDir
    Path dir;

    @Test
    void exportsACheckpointWithItsMetadataAndTheOutputsOfItsWeights() throws Exception {
        ContinuousDeployTest checkpoints = new ContinuousDeployTest();
        checkpoints.dir = dir;
        Path ckpt = checkpoints.checkpoint(42, 7, true, 0.25);
        Path out = dir.resolve("model.onnx");
        OfflineExport.Result r = OfflineExport.export(ckpt, out);
        assertTrue(r.written(), r.toString());
        assertEquals("v000000042", r.version());
        assertEquals(VerificationRows.SEEDED_ROWS, r.rows());
        assertTrue(r.parityMaxAbsDiff() <= r.parityBound(), r.toString());
        ModelSnapshot weights = DeployTest.randomSnapshot("relu", 7);
        float[] x = DeployTest.gauss(new Random(3), 2 * 5);
        try (OnnxModel model = new OnnxModel(Files.readAllBytes(out), 5);
                var session = ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(Files.readAllBytes(out))) {
            assertTrue(Parity.maxAbsDiff(model.predict(x, 2), ReferenceForward.probabilities(weights, x, 2)) < 1e-6);
            var meta = session.getMetadata().getCustomMetadata();
            assertEquals("j", meta.get("streamtrain.job"));
            assertEquals("42", meta.get("streamtrain.update"));
            assertEquals("v000000042", meta.get("streamtrain.version"));
        }
        Files.writeString(ckpt.resolve("parameters.safetensors"), "damaged");
        Exception damaged = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> OfflineExport.export(ckpt, dir.resolve("other.onnx")));
        assertTrue(damaged.getMessage().contains("does not match its checksum"), damaged.getMessage());
        assertFalse(Files.exists(dir.resolve("other.onnx")));
    }
}
