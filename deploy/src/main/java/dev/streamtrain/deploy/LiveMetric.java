package dev.streamtrain.deploy;

import dev.streamtrain.core.batch.MiniBatch;
import java.util.List;

/**
 * The serving model's own metric on the validation rows held now (live: the validation stream moves on), from its
 * outputs, with PyTorch's definitions: {@code val_loss} is the mean {@code nn.CrossEntropyLoss} of a softmax head
 * (−log p[y], p clamped at 1e-12), {@code nn.BCELoss} of a sigmoid head (class ids, or 0/1 targets per output), or
 * {@code nn.MSELoss} of an identity head; {@code val_accuracy} is the arg-max's (softmax) or the 0.5 threshold's
 * (sigmoid) share of right answers. NaN when the rows or the head do not allow the metric.
 */
final class LiveMetric {
    /** The metrics this can compute. */
    static final List<String> SUPPORTED = List.of("val_loss", "val_accuracy");

    private LiveMetric() {
    }

    /**
     * @param metric val_loss or val_accuracy
     * @param head softmax, sigmoid or identity
     * @param out the model's outputs on the rows of {@code batches}, row-major, {@code width} per row
     * @param width outputs per row
     * @param batches the rows, with their labels
     */
    static double of(String metric, String head, float[] out, int width, List<MiniBatch> batches) {
        double sum = 0;
        long n = 0;
        int row = 0;
        for (MiniBatch b : batches) {
            for (int r = 0; r < b.rows(); r++, row++) {
                double v = one(metric, head, out, row * width, width, b, r);
                if (Double.isNaN(v)) {
                    return Double.NaN;
                }
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * A serving model's metric on {@code batches}, run now (blocking; NaN: no rows, no model, or its session was
     * retired meanwhile).
     */
    static double measure(String metric, ServedModel model, List<MiniBatch> batches) throws Exception {
        VerificationRows.Rows rows = model == null ? null : VerificationRows.of(batches, model.onnx().inputs());
        if (rows == null || rows.count() == 0 || !model.onnx().acquire()) {
            return Double.NaN;
        }
        try {
            return of(metric, model.head(), model.onnx().predict(rows.x(), rows.count()), model.classes(), batches);
        } finally {
            model.onnx().release();
        }
    }

    /** One row's loss or 0/1 correctness; NaN when the metric does not apply. */
    private static double one(String metric, String head, float[] out, int at, int width, MiniBatch b, int r) {
        boolean accuracy = metric.equals("val_accuracy");
        switch (head) {
            case "softmax" -> {
                if (b.hasTargets()) {
                    return Double.NaN;
                }
                int y = (int) b.y()[r];
                if (accuracy) {
                    int best = 0;
                    for (int c = 1; c < width; c++) {
                        best = out[at + c] > out[at + best] ? c : best;
                    }
                    return best == y ? 1 : 0;
                }
                return -Math.log(Math.max(out[at + y], 1e-12));
            }
            case "sigmoid" -> {
                double total = 0;
                for (int c = 0; c < width; c++) {
                    double t = b.hasTargets() ? b.targets()[r * b.targetWidth() + c] : b.y()[r];
                    double p = Math.min(Math.max(out[at + c], 1e-12), 1 - 1e-12);
                    total += accuracy ? ((p > 0.5) == (t > 0.5) ? 1 : 0)
                            : -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
                }
                return total / width;
            }
            default -> {
                if (accuracy) {
                    return Double.NaN;
                }
                double total = 0;
                for (int c = 0; c < width; c++) {
                    double t = b.hasTargets() ? b.targets()[r * b.targetWidth() + c] : b.y()[r];
                    total += (out[at + c] - t) * (out[at + c] - t);
                }
                return total / width;
            }
        }
    }
}
