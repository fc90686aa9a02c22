package dev.streamtrain.deploy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The JSON of {@code POST /v1/predict}: {@code {"rows": [[x0, x1, ...], ...]}} in; out, by head, softmax
 * {@code probabilities} and arg-max {@code classes}, sigmoid {@code probabilities} and 0/1 {@code labels} per output
 * (threshold 0.5), identity {@code predictions}; always {@code model_version}, the version that answered.
 * A request that cannot be read gets {@link BadRequest} naming the problem in the product's words.
 */
final class PredictJson {
    /** What is wrong with a request, as the client should read it. */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    /**
     * @param x row-major features
     * @param rows how many rows
     */
    record Rows(float[] x, int rows) {
    }

    private PredictJson() {
    }

    /** Reads the rows of a request for a model taking {@code width} features. */
    static Rows read(Buffer body, int width) throws BadRequest {
        String shape = "expected {\"rows\": [[" + width + " numbers], ...]}";
        JsonArray rowsJson;
        try {
            @SuppressWarnings("unchecked") // Python's json.dumps writes NaN bare: read it, then refuse it by row
            Object rows = new JsonObject(dev.streamtrain.core.wire.PythonJson.MAPPER.readValue(body.getBytes(),
                    java.util.Map.class)).getValue("rows");
            if (!(rows instanceof JsonArray array) || array.isEmpty()) {
                throw new BadRequest("no rows: " + shape);
            }
            rowsJson = array;
        } catch (java.io.IOException | DecodeException | ClassCastException | NullPointerException e) { // "null" too
            throw new BadRequest("the body is not a JSON object: " + shape);
        }
        int rows = rowsJson.size();
        float[] x = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            if (!(rowsJson.getValue(r) instanceof JsonArray row) || row.size() != width) {
                throw new BadRequest("row " + r + " must hold " + width + " numbers"
                        + (rowsJson.getValue(r) instanceof JsonArray row ? ", it holds " + row.size() : ""));
            }
            for (int c = 0; c < width; c++) {
                if (!(row.getValue(c) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw new BadRequest("row " + r + " column " + c + " is not a finite number");
                }
                x[r * width + c] = n.floatValue();
            }
        }
        return new Rows(x, rows);
    }

    /** The first row whose outputs are not all finite, or -1. */
    static int firstNonFiniteRow(float[] out, int perRow) {
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i])) {
                return i / perRow;
            }
        }
        return -1;
    }

    /** The reply for {@code rows} rows of outputs from {@code model}. */
    static JsonObject predictions(ServedModel model, float[] out, int rows) {
        JsonArray values = new JsonArray();
        JsonArray decisions = new JsonArray();
        int k = model.classes();
        for (int r = 0; r < rows; r++) {
            JsonArray row = new JsonArray();
            JsonArray rowLabels = new JsonArray();
            int best = 0;
            for (int c = 0; c < k; c++) {
                float v = out[r * k + c];
                row.add(v);
                rowLabels.add(v > 0.5f ? 1 : 0);
                if (v > out[r * k + best]) {
                    best = c;
                }
            }
            values.add(row);
            decisions.add(model.head().equals("softmax") ? best : rowLabels);
        }
        JsonObject json = new JsonObject().put("model_version", model.version());
        return switch (model.head()) {
            case "softmax" -> json.put("classes", decisions).put("probabilities", values);
            case "sigmoid" -> json.put("labels", decisions).put("probabilities", values);
            default -> json.put("predictions", values);
        };
    }
}
