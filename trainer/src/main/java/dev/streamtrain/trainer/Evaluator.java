package dev.streamtrain.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.metrics.Scores;
import dev.streamtrain.trainer.loss.Losses;
import java.util.List;
import java.util.Map;

/**
 * Forward passes without gradients, in evaluation mode: each minibatch is {@link #score scored} (its loss and the
 * head's outputs), and scored minibatches are {@link #summarize summarized} into loss, accuracy and the further
 * metrics of {@link Scores}. The head's outputs also answer deploy's predictions.
 */
final class Evaluator {
    private final Trainer trainer;
    private final Loss loss;
    private final String lossName;
    private final String head;
    private final int outputs;
    private final int topK;

    Evaluator(Trainer trainer, Loss loss, String lossName, String head, int outputs, int topK) {
        this.trainer = trainer;
        this.loss = loss;
        this.lossName = lossName;
        this.head = head;
        this.outputs = outputs;
        this.topK = topK;
    }

    /**
     * One scored minibatch.
     *
     * @param batch the minibatch (its labels)
     * @param outputs the head's outputs, row-major {@code [rows, outputs]}
     * @param lossSum its loss summed over rows
     */
    record Scored(MiniBatch batch, float[] outputs, double lossSum) {
    }

    /**
     * @param lossSum sum over rows of the per-row loss
     * @param rows rows evaluated
     * @param accuracy see {@link Scores#accuracy} (NaN for regression or no rows)
     * @param metrics see {@link Scores#extra}
     */
    record Result(double lossSum, int rows, double accuracy, Map<String, Double> metrics) {
        double meanLoss() {
            return rows == 0 ? Double.NaN : lossSum / rows;
        }
    }

    /** The loss and outputs of one minibatch under the current weights. */
    Scored score(MiniBatch b) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray x = m.create(b.x(), new Shape(b.rows(), b.features()));
            NDArray y = Losses.labels(m, b, null, lossName, outputs);
            NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
            double lossSum = loss.evaluate(new NDList(y), new NDList(logits)).getFloat() * b.rows();
            return new Scored(b, headOutputs(logits).toFloatArray(), lossSum);
        }
    }

    /** Loss and metrics over scored minibatches. */
    Result summarize(List<Scored> scored) {
        int rows = scored.stream().mapToInt(s -> s.batch().rows()).sum();
        float[] out = new float[rows * outputs];
        boolean targets = !scored.isEmpty() && scored.get(0).batch().hasTargets();
        long[] ids = targets ? null : new long[rows];
        float[] t = targets ? new float[rows * outputs] : null;
        double lossSum = 0;
        int at = 0;
        for (Scored s : scored) {
            MiniBatch b = s.batch();
            System.arraycopy(s.outputs(), 0, out, at * outputs, s.outputs().length);
            if (targets) {
                System.arraycopy(b.targets(), 0, t, at * outputs, b.targets().length);
            } else {
                System.arraycopy(b.y(), 0, ids, at, b.rows());
            }
            lossSum += s.lossSum();
            at += b.rows();
        }
        return new Result(lossSum, rows, Scores.accuracy(head, outputs, out, ids, t),
                Scores.extra(head, outputs, topK, out, ids, t));
    }

    /**
     * Rows scored in one forward pass at most. Evaluation scores its minibatches joined up to this many rows: one
     * pass over the 1,797 digits rows instead of 57 of 32 rows each, so the trainer thread is away from training for
     * a shorter while (each example arriving meanwhile waits for it: bench B3). The loss sums agree with scoring each
     * minibatch up to float rounding; outputs and accuracy are the same.
     */
    static final int ROWS_PER_PASS = 2048;

    /** Scores and summarizes minibatches, joined into passes of up to {@link #ROWS_PER_PASS} rows. */
    Result evaluate(List<MiniBatch> batches) {
        List<Scored> scored = new java.util.ArrayList<>();
        List<MiniBatch> pass = new java.util.ArrayList<>();
        int rows = 0;
        for (MiniBatch b : batches) {
            if (!pass.isEmpty() && (rows + b.rows() > ROWS_PER_PASS || !b.sameShape(pass.get(0)))) {
                scored.addAll(scorePass(pass));
                pass.clear();
                rows = 0;
            }
            pass.add(b);
            rows += b.rows();
        }
        if (!pass.isEmpty()) {
            scored.addAll(scorePass(pass));
        }
        return summarize(scored);
    }

    /**
     * One forward pass over minibatches of one shape, its outputs handed back per minibatch (the joined copy of their
     * features is dropped at once: a validation set of 100,000 rows is not held twice), the pass's loss sum with the
     * first of them.
     */
    private List<Scored> scorePass(List<MiniBatch> pass) {
        Scored joined = score(MiniBatch.concat(pass));
        List<Scored> out = new java.util.ArrayList<>(pass.size());
        int at = 0;
        for (MiniBatch b : pass) {
            int width = b.rows() * outputs;
            out.add(new Scored(b, java.util.Arrays.copyOfRange(joined.outputs(), at, at + width),
                    out.isEmpty() ? joined.lossSum() : 0));
            at += width;
        }
        return out;
    }

    /** The head's outputs (probabilities, or regression values) for row-major features. */
    float[] probabilities(float[] x, int rows, int features) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            return headOutputs(trainer.evaluate(new NDList(m.create(x, new Shape(rows, features)))).singletonOrThrow())
                    .toFloatArray();
        }
    }

    private NDArray headOutputs(NDArray z) {
        return switch (head) {
            case "softmax" -> z.softmax(1);
            case "sigmoid" -> ai.djl.nn.Activation.sigmoid(z);
            default -> z;
        };
    }
}
