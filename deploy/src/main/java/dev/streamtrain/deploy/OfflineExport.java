package dev.streamtrain.deploy;

import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.model.AtomicFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code streamtrain export}: one checkpoint to an ONNX file, offline, through the same export and verification as a
 * served candidate ({@link CandidateExport}: metadata properties, agreement with the float64 reference on
 * {@value VerificationRows#SEEDED_ROWS} seeded rows within {@link Parity#judge}). Nothing is written when the
 * verification fails. Blocking.
 */
public final class OfflineExport {
    /**
     * What was exported.
     *
     * @param version the version label the metadata carries
     * @param updates updates the weights include
     * @param rows rows verified
     * @param parityMaxAbsDiff largest |ONNX Runtime − float64 reference|
     * @param parityBound its bound
     * @param written whether the file was written (verification passed)
     */
    public record Result(String version, long updates, int rows, double parityMaxAbsDiff, double parityBound,
            boolean written) {
    }

    private OfflineExport() {
    }

    /**
     * @param checkpoint a checkpoint directory ({@code ckpt-NNNNNNNNNNNN})
     * @param out the ONNX file to write (written and fsynced; replaced if it exists)
     * @throws Exception when the checkpoint cannot be read, is damaged, or its weights are not finite
     */
    public static Result export(Path checkpoint, Path out) throws Exception {
        String version = VersionStore.label(checkpointUpdates(checkpoint));
        var manifest = dev.streamtrain.core.checkpoint.CheckpointManifest.read(checkpoint);
        String job = manifest == null ? "" : manifest.job();
        CandidateExport.Exported e = CandidateExport.run(checkpoint, false, new VerificationRows(new ValidationSet(1)),
                Map.of(CandidateExport.PREFIX + "job", job, CandidateExport.PREFIX + "version", version));
        try {
            Parity.Verdict v = e.verdict();
            if (v.passed()) {
                AtomicFiles.write(out.toAbsolutePath(), e.onnx());
            }
            return new Result(version, e.snapshot().updates(), e.rows().count(), v.maxAbsDiff(), v.bound(), v.passed());
        } finally {
            e.model().close();
        }
    }

    private static long checkpointUpdates(Path checkpoint) {
        String name = checkpoint.toAbsolutePath().normalize().getFileName().toString();
        return name.matches("ckpt-\\d+") ? Long.parseLong(name.substring(5)) : 0;
    }
}
