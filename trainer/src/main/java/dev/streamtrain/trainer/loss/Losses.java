package dev.streamtrain.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import dev.streamtrain.core.batch.MiniBatch;

/** The training loss a job names, and the label array each kind of minibatch gives it. */
public final class Losses {
    private Losses() {
    }

    /**
     * @param name cross_entropy, bce, mse, l1 or huber
     * @param labelSmoothing for cross_entropy (0: plain)
     * @param huberDelta for huber
     */
    public static Loss create(String name, double labelSmoothing, double huberDelta) {
        if (name.equals("cross_entropy")) {
            return labelSmoothing > 0 ? new SmoothedCrossEntropy(labelSmoothing) : Loss.softmaxCrossEntropyLoss();
        }
        return new ElementwiseLoss(name, huberDelta);
    }

    /**
     * The labels of a minibatch, rows reordered by {@code order} (null: as is): int64 class ids for cross-entropy;
     * float {@code [rows, outputs]} otherwise (class ids become 0/1 targets for a single binary output).
     */
    public static NDArray labels(NDManager m, MiniBatch b, int[] order, String loss, int outputs) {
        int rows = b.rows();
        if (loss.equals("cross_entropy")) {
            if (b.hasTargets()) {
                throw new IllegalArgumentException("cross_entropy needs class ids, but the minibatch carries float targets");
            }
            long[] y = new long[rows];
            for (int r = 0; r < rows; r++) {
                y[r] = b.y()[order == null ? r : order[r]];
            }
            return m.create(y, new Shape(rows));
        }
        int width = b.hasTargets() ? b.targetWidth() : 1;
        if (width != outputs) {
            throw new IllegalArgumentException("the minibatch has " + width + " target(s) per row; the model has "
                    + outputs + " output(s)");
        }
        float[] t = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            int src = order == null ? r : order[r];
            for (int k = 0; k < width; k++) {
                t[r * width + k] = b.hasTargets() ? b.targets()[src * width + k] : b.y()[src];
            }
        }
        return m.create(t, new Shape(rows, width));
    }
}
