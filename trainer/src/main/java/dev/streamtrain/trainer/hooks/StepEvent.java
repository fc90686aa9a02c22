package dev.streamtrain.trainer.hooks;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * After the optimizer step of one update.
 *
 * @param update the update just applied (1-based)
 * @param parameters the live parameters by name (running statistics included)
 */
public record StepEvent(long update, Map<String, NDArray> parameters) {
}
