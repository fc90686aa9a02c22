package dev.streamtrain.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.trainer.loss.Losses;
import java.util.List;

/**
 * Forward passes without gradients: validation loss and accuracy (arg-max for softmax, threshold 0.5 per output for
 * sigmoid, none for regression), and the head's outputs for deploy.
 */
final class Evaluator {
    private final Trainer trainer;
    private final Loss loss;
    private final String lossName;
    private final String head;
    private final int outputs;

    Evaluator(Trainer trainer, Loss loss, String lossName, String head, int outputs) {
        this.trainer = trainer;
        this.loss = loss;
        this.lossName = lossName;
        this.head = head;
        this.outputs = outputs;
    }

    /**
     * @param lossSum sum over rows of the per-row loss
     * @param correct correctly classified rows (or output elements for sigmoid); -1 for regression
     * @param rows rows evaluated
     * @param judged predictions judged (rows, or rows x outputs for sigmoid)
     */
    record Result(double lossSum, long correct, int rows, long judged) {
        double meanLoss() {
            return rows == 0 ? Double.NaN : lossSum / rows;
        }

        double accuracy() {
            return rows == 0 || correct < 0 ? Double.NaN : (double) correct / judged;
        }
    }

    Result evaluate(List<MiniBatch> batches) {
        double lossSum = 0;
        long correct = head.equals("identity") ? -1 : 0;
        int rows = 0;
        long judged = 0;
        for (MiniBatch b : batches) {
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray x = m.create(b.x(), new Shape(b.rows(), b.features()));
                NDArray y = Losses.labels(m, b, null, lossName, outputs);
                NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
                lossSum += loss.evaluate(new NDList(y), new NDList(logits)).getFloat() * b.rows();
                if (head.equals("softmax")) {
                    correct += logits.argMax(1).toType(DataType.INT64, false).eq(y).sum().getLong();
                    judged += b.rows();
                } else if (head.equals("sigmoid")) {
                    correct += logits.gt(0f).eq(y.gt(0.5f)).sum().getLong();
                    judged += (long) b.rows() * outputs;
                }
                rows += b.rows();
            }
        }
        return new Result(lossSum, correct, rows, judged);
    }

    /** The head's outputs (probabilities, or regression values) for row-major features. */
    float[] probabilities(float[] x, int rows, int features) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray z = trainer.evaluate(new NDList(m.create(x, new Shape(rows, features)))).singletonOrThrow();
            NDArray out = switch (head) {
                case "softmax" -> z.softmax(1);
                case "sigmoid" -> ai.djl.nn.Activation.sigmoid(z);
                default -> z;
            };
            return out.toFloatArray();
        }
    }
}
