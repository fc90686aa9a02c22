package dev.streamtrain.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.streamtrain.core.batch.MiniBatch;
import java.util.List;

/** Forward passes without gradients: validation loss and accuracy, and class probabilities for deploy. */
final class Evaluator {
    private final Trainer trainer;
    private final Loss loss;

    Evaluator(Trainer trainer, Loss loss) {
        this.trainer = trainer;
        this.loss = loss;
    }

    /**
     * @param lossSum sum over rows of the per-row loss
     * @param correct rows whose arg-max class equals the label
     * @param rows rows evaluated
     */
    record Result(double lossSum, long correct, int rows) {
        double meanLoss() {
            return rows == 0 ? Double.NaN : lossSum / rows;
        }

        double accuracy() {
            return rows == 0 ? Double.NaN : (double) correct / rows;
        }
    }

    Result evaluate(List<MiniBatch> batches) {
        double lossSum = 0;
        long correct = 0;
        int rows = 0;
        for (MiniBatch b : batches) {
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray x = m.create(b.x(), new Shape(b.rows(), b.features()));
                NDArray y = m.create(b.y(), new Shape(b.rows()));
                NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
                lossSum += loss.evaluate(new NDList(y), new NDList(logits)).getFloat() * b.rows();
                correct += logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT64, false).eq(y).sum().getLong();
                rows += b.rows();
            }
        }
        return new Result(lossSum, correct, rows);
    }

    float[] probabilities(float[] x, int rows, int features) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray logits = trainer.evaluate(new NDList(m.create(x, new Shape(rows, features)))).singletonOrThrow();
            return logits.softmax(1).toFloatArray();
        }
    }
}
