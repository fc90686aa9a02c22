package dev.streamtrain.trainer.tricks;

import dev.streamtrain.core.config.GradScalerSettings;

/**
 * Dynamic loss scaling with PyTorch {@code GradScaler} semantics: the loss is multiplied by the scale before backward
 * so small fp16 gradients do not flush to zero; the gradients are divided by it before the step. A step whose
 * gradients are not all finite is skipped and the scale shrinks by the backoff factor; after {@code growthInterval}
 * finite steps in a row it grows by the growth factor. Pure; its {@link State} is saved in checkpoints.
 */
public final class DynamicLossScaler {
    /**
     * What a checkpoint keeps.
     *
     * @param scale the current scale
     * @param goodSteps finite steps in a row since the scale last changed (PyTorch's growth tracker)
     * @param skippedSteps steps skipped for non-finite gradients so far
     */
    public record State(double scale, long goodSteps, long skippedSteps) {
    }

    private final GradScalerSettings settings;
    private State state;

    /** Starts at {@code settings.initScale()}. */
    public DynamicLossScaler(GradScalerSettings settings) {
        this.settings = settings;
        this.state = new State(settings.initScale(), 0, 0);
    }

    /** The scale to multiply the loss by now. */
    public double scale() {
        return state.scale();
    }

    /**
     * Records a step's outcome and adjusts the scale.
     *
     * @param gradientsFinite whether every unscaled gradient was finite
     * @return whether the optimizer may step (false: skip it)
     */
    public boolean update(boolean gradientsFinite) {
        if (!gradientsFinite) {
            state = new State(state.scale() * settings.backoffFactor(), 0, state.skippedSteps() + 1);
            return false;
        }
        long good = state.goodSteps() + 1;
        state = good >= settings.growthInterval()
                ? new State(state.scale() * settings.growthFactor(), 0, state.skippedSteps())
                : new State(state.scale(), good, state.skippedSteps());
        return true;
    }

    /** The state to checkpoint. */
    public State state() {
        return state;
    }

    /** Restores a checkpointed state. */
    public void restore(State saved) {
        this.state = saved;
    }
}
