package dev.streamtrain.core.events;

/**
 * The outcome of exporting and verifying a model, and whether it is now served.
 *
 * @param job job name
 * @param version served version label (e.g. {@code v000000900})
 * @param updates updates the model was trained for
 * @param onnxPath the exported ONNX file
 * @param rowsCompared validation rows run through both ONNX Runtime and DJL
 * @param parityMaxAbsDiff largest absolute difference of probabilities between them
 * @param served true when the model passed verification and is being served
 * @param message why it is not served, or "ok"
 * @param url base URL of the model server
 * @param decision what became of it: {@code promoted} (served), {@code rejected} (verified, but the version serving
 *     stays: it did not beat it, or lost its shadow trial), {@code failed} (ONNX Runtime disagreed with the
 *     trainer) or {@code not_exported} (nothing trained, or the export failed)
 */
public record ModelDeployed(String job, String version, long updates, String onnxPath, int rowsCompared,
        double parityMaxAbsDiff, boolean served, String message, String url, String decision)
        implements StreamEvent {
    /** True when a model serves after this outcome: this one, or (rejected) the better one serving before it. */
    public boolean modelServes() {
        return served || "rejected".equals(decision);
    }

    @Override
    public String eventType() {
        return "model_deployed";
    }
}
