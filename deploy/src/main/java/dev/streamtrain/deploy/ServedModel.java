package dev.streamtrain.deploy;

import dev.streamtrain.core.events.ValidationMetrics;

/**
 * A verified model version being served.
 *
 * @param version label, e.g. {@code v000000900}
 * @param updates updates it was trained for
 * @param classes outputs per prediction
 * @param head softmax, sigmoid or identity (what the outputs mean)
 * @param onnx the ONNX Runtime session
 * @param validation validation metrics at export (null when unknown)
 * @param parityMaxAbsDiff verified agreement with the trainer
 * @param onnxPath where the ONNX file lives
 */
public record ServedModel(String version, long updates, int classes, String head, OnnxModel onnx,
        ValidationMetrics validation,
        double parityMaxAbsDiff, String onnxPath) {
}
