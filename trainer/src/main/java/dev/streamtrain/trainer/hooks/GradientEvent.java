package dev.streamtrain.trainer.hooks;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * After backward, before the optimizer step of one update: the accumulated gradients, which hooks may change in
 * place (clipping does).
 *
 * @param update the update about to be applied (1-based)
 * @param gradients the gradient of every trainable parameter (fp32; the unscaled ones under mixed precision)
 * @param gradNorm their global norm before any change (p of {@code tricks.clip-norm-type}, 2 by default)
 */
public record GradientEvent(long update, List<NDArray> gradients, double gradNorm) {
}
