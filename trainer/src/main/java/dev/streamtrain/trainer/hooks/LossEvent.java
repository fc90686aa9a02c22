package dev.streamtrain.trainer.hooks;

import ai.djl.ndarray.NDArray;
import dev.streamtrain.core.batch.MiniBatch;

/**
 * After the forward pass of one minibatch, before backward. Hooks may read the loss and replace the objective that
 * is back-propagated (flooding does).
 */
public final class LossEvent {
    private final MiniBatch batch;
    private final float loss;
    private NDArray objective;

    public LossEvent(MiniBatch batch, float loss, NDArray objective) {
        this.batch = batch;
        this.loss = loss;
        this.objective = objective;
    }

    /** The minibatch. */
    public MiniBatch batch() {
        return batch;
    }

    /** Its mean loss (before any change of the objective). */
    public float loss() {
        return loss;
    }

    /** The scalar to back-propagate. */
    public NDArray objective() {
        return objective;
    }

    /** Replaces the scalar to back-propagate. */
    public void objective(NDArray replacement) {
        this.objective = replacement;
    }
}
