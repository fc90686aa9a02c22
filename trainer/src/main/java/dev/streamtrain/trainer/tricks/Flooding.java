package dev.streamtrain.trainer.tricks;

import dev.streamtrain.trainer.hooks.LossEvent;
import dev.streamtrain.trainer.hooks.TrainingHook;
import dev.streamtrain.trainer.hooks.Verdict;

/**
 * Flooding (Ishida et al., 2020, "Do We Need Zero Training Loss After Achieving Zero Training Error?"): trains on
 * {@code |loss - b| + b}, so the training loss cannot fall below the flood level b (gradient ascent below it).
 */
public final class Flooding implements TrainingHook {
    private final float level;

    public Flooding(double level) {
        this.level = (float) level;
    }

    @Override
    public Verdict afterLoss(LossEvent e) {
        e.objective(e.objective().sub(level).abs().add(level));
        return Verdict.proceed();
    }
}
