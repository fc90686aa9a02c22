package dev.streamtrain.deploy;

import dev.streamtrain.core.wire.Npz;
import dev.streamtrain.core.wire.Safetensors;
import dev.streamtrain.core.wire.Tensor;
import java.util.Map;

/**
 * Batch bodies of {@code POST /v1/predict} in the formats training records use: a safetensors document or an
 * {@code .npz} archive (numpy's {@code np.savez}) whose tensor {@value #FEATURES} has shape {@code [rows, features]}
 * (any float or integer type; the same name as the records' default {@code features-tensor}). Other tensors, labels
 * included, are ignored. Problems come back as {@link PredictJson.BadRequest} in the product's words.
 */
final class PredictTensors {
    static final String FEATURES = "x";

    private PredictTensors() {
    }

    /** Whether a body is meant as tensors rather than JSON: its content type says so, or it is an npz archive. */
    static boolean isTensors(String contentType, byte[] body) {
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("application/octet-stream") || type.contains("safetensors") || type.contains("npz")
                || Npz.looksLikeNpz(body);
    }

    /** The rows of a tensor body for a model taking {@code width} features. */
    static PredictJson.Rows read(byte[] body, int width) throws PredictJson.BadRequest {
        Map<String, Tensor> tensors;
        String format = Npz.looksLikeNpz(body) ? "npz" : "safetensors";
        try {
            tensors = format.equals("npz") ? Npz.decode(body) : Safetensors.decode(body);
        } catch (RuntimeException e) { // (the parsers' own words name their internals)
            throw new PredictJson.BadRequest("the body is not a readable " + format + " document");
        }
        Tensor x = tensors.get(FEATURES);
        if (x == null) {
            throw new PredictJson.BadRequest("the " + format + " body has no tensor '" + FEATURES + "' (it holds "
                    + tensors.keySet() + ")");
        }
        long[] shape = x.shape();
        if (shape.length != 2 || shape[1] != width || shape[0] < 1) {
            throw new PredictJson.BadRequest("tensor '" + FEATURES + "' has shape " + java.util.Arrays.toString(shape)
                    + "; the model takes [rows, " + width + "]");
        }
        float[] values;
        try {
            values = x.toFloats();
        } catch (IllegalStateException e) {
            throw new PredictJson.BadRequest("tensor '" + FEATURES + "' is of type " + x.dtype().name()
                    + ", not a number type");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new PredictJson.BadRequest("row " + i / width + " column " + i % width
                        + " is not a finite number");
            }
        }
        return new PredictJson.Rows(values, (int) shape[0]);
    }
}
