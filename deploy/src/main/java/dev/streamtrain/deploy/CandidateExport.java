package dev.streamtrain.deploy;

import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.model.ReferenceForward;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Exports one checkpoint to ONNX and runs it: reads the checkpoint's files (checked against its manifest), refuses
 * non-finite weights, builds the ONNX model, loads it in ONNX Runtime and runs the verification rows through it (which
 * also warms the session up), beside the double-precision and float32 reference passes that {@link Parity} judges it
 * by. Reads files only: the trainer never waits. Blocking: call off the event loop.
 */
final class CandidateExport {
    /** The checkpoint is not one to serve (damaged, not good, gone): not a failure of the export. */
    static final class NotACandidate extends Exception {
        NotACandidate(String message) {
            super(message);
        }
    }

    /**
     * An exported, loaded candidate.
     *
     * @param onnx the ONNX file's bytes
     * @param model its ONNX Runtime session (the caller closes or serves it)
     * @param snapshot the weights it was exported from
     * @param manifest the checkpoint's manifest (null for a checkpoint written before manifests)
     * @param rows the verification rows
     * @param engine ONNX Runtime's outputs on them
     * @param reference the float64 reference's outputs with their float32 rounding bounds
     */
    record Exported(byte[] onnx, OnnxModel model, ModelSnapshot snapshot, CheckpointManifest manifest,
            VerificationRows.Rows rows, float[] engine, ReferenceForward.Bounded reference) {
        /** ONNX Runtime's outputs judged against the float64 reference, row by row ({@link Parity#judge}). */
        Parity.Verdict verdict() {
            return judge(engine);
        }

        /** Another engine's outputs on the same rows (the trainer's), judged the same way. */
        Parity.Verdict judge(float[] outputs) {
            return Parity.judge(outputs, reference, snapshot.spec().classes());
        }
    }

    private CandidateExport() {
    }

    /** ONNX metadata keys are {@code streamtrain.<name>}. */
    static final String PREFIX = "streamtrain.";

    /**
     * The ONNX metadata of an export: the job's part ({@code job}, {@code version}, {@code config_hash}) and the
     * checkpoint's: {@code update}, {@code samples}, {@code checkpoint_id}, per-partition next {@code offsets} and
     * the {@code validation} metrics (both JSON), as its manifest records them.
     */
    static java.util.Map<String, String> metadata(java.util.Map<String, String> job, ModelSnapshot snapshot,
            CheckpointManifest manifest) throws java.io.IOException {
        java.util.Map<String, String> out = new java.util.TreeMap<>(job);
        out.put(PREFIX + "update", Long.toString(manifest == null ? snapshot.updates() : manifest.update()));
        if (manifest != null) {
            var json = dev.streamtrain.core.events.Events.mapper();
            out.put(PREFIX + "samples", Long.toString(manifest.samples()));
            out.put(PREFIX + "checkpoint_id", manifest.id());
            out.put(PREFIX + "offsets", json.writeValueAsString(manifest.offsets()));
            if (manifest.validation() != null) {
                out.put(PREFIX + "validation", json.writeValueAsString(manifest.validation()));
            }
        }
        return out;
    }

    /**
     * @param checkpoint the checkpoint directory
     * @param requireGood refuse a checkpoint not saved as good or marked suspect since (candidates during training;
     *     the final model was already chosen among good checkpoints)
     * @param verification where the verification rows come from
     * @param metadata the job's part of the ONNX metadata ({@link #metadata}: job, version, config hash)
     * @throws NotACandidate when the checkpoint is not one to serve
     * @throws Exception when the export or the session fails
     */
    static Exported run(Path checkpoint, boolean requireGood, VerificationRows verification,
            java.util.Map<String, String> metadata) throws Exception {
        if (!Files.isDirectory(checkpoint)) {
            throw new NotACandidate("checkpoint " + checkpoint.getFileName() + " is gone (pruned or rolled back)");
        }
        CheckpointManifest.Checked checked = CheckpointManifest.check(checkpoint);
        if (!checked.problems().isEmpty()) {
            throw new NotACandidate("checkpoint " + checkpoint.getFileName() + " is damaged or incomplete: "
                    + String.join("; ", checked.problems()));
        }
        boolean suspect = Files.exists(checkpoint.resolve(CheckpointManifest.SUSPECT_FILE));
        if (requireGood && (suspect || checked.manifest() != null && !checked.manifest().good())) {
            throw new NotACandidate("checkpoint " + checkpoint.getFileName() + " is not a good checkpoint");
        }
        ModelSnapshot snapshot = ModelSnapshotFiles.read(checkpoint);
        if (!snapshot.isFinite()) {
            throw new IllegalStateException("the checkpoint's parameters are not finite: refusing to export");
        }
        byte[] onnx = OnnxExporter.export(snapshot, "0.1.0", metadata(metadata, snapshot, checked.manifest()));
        OnnxModel model = new OnnxModel(onnx, snapshot.spec().inputs());
        try {
            VerificationRows.Rows rows = verification.take(snapshot.spec().inputs());
            float[] engine = model.predict(rows.x(), rows.count());
            return new Exported(onnx, model, snapshot, checked.manifest(), rows, engine,
                    ReferenceForward.withRoundingBound(snapshot, rows.x(), rows.count()));
        } catch (Exception | Error e) {
            model.close();
            throw e;
        }
    }
}
