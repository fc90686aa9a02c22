package dev.streamtrain.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Softmax cross-entropy on logits with PyTorch's label smoothing: the target distribution is
 * {@code (1 - eps) * onehot + eps / K}, so the loss is {@code (1 - eps) * nll + eps * mean_k(-log p_k)}, averaged over
 * the batch. With eps = 0 it is plain cross-entropy.
 */
public final class SmoothedCrossEntropy extends Loss {
    private final double eps;

    /** @param eps smoothing in [0, 1) */
    public SmoothedCrossEntropy(double eps) {
        super("SmoothedCrossEntropy");
        if (!(eps >= 0 && eps < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + eps);
        }
        this.eps = eps;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.singletonOrThrow();
        int classes = (int) logits.getShape().get(1);
        NDArray logp = logits.logSoftmax(1);
        NDArray target = labels.singletonOrThrow().oneHot(classes).toType(logp.getDataType(), false)
                .mul(1 - eps).add(eps / classes);
        return target.mul(logp).sum(new int[] {1}).neg().mean();
    }
}
