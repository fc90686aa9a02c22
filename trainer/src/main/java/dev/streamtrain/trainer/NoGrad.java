package dev.streamtrain.trainer;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Runs in-place changes of parameters with autograd off (PyTorch's {@code torch.no_grad}): an in-place change of a
 * leaf tensor that requires gradients is illegal otherwise. Restores the previous mode afterwards.
 */
public final class NoGrad {
    private NoGrad() {
    }

    /** Runs {@code work} with autograd off. */
    public static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    /** Computes {@code work} with autograd off. */
    public static <T> T call(Supplier<T> work) {
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(mode);
        }
    }
}
