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
 */
public record ModelDeployed(String job, String version, long updates, String onnxPath, int rowsCompared,
        double parityMaxAbsDiff, boolean served, String message, String url) implements StreamEvent {
    @Override
    public String eventType() {
        return "model_deployed";
    }
}
