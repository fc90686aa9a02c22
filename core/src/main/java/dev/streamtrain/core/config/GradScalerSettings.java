package dev.streamtrain.core.config;

/**
 * Dynamic loss scaling for fp16 training, with PyTorch {@code torch.amp.GradScaler}'s argument names and defaults
 * ({@code tricks.grad-scaler: {init_scale: 65536, growth_factor: 2.0, backoff_factor: 0.5, growth_interval: 2000}}).
 *
 * @param initScale the first scale
 * @param growthFactor multiplies the scale after {@code growthInterval} steps in a row with finite gradients
 * @param backoffFactor multiplies the scale after a step with non-finite gradients (that step is skipped)
 * @param growthInterval finite steps in a row before the scale grows
 */
public record GradScalerSettings(double initScale, double growthFactor, double backoffFactor, long growthInterval) {
    /** PyTorch's defaults. */
    public static GradScalerSettings defaults() {
        return new GradScalerSettings(65536.0, 2.0, 0.5, 2000);
    }

    /** Reads the section (problems go to the reader). */
    static GradScalerSettings read(ConfigReader r) {
        var d = defaults();
        var s = new GradScalerSettings(
                r.decimal("init_scale", d.initScale(), 0, 1e38, false),
                r.decimal("growth_factor", d.growthFactor(), 1, 1e6, false),
                r.decimal("backoff_factor", d.backoffFactor(), 0, 1, false),
                r.integer("growth_interval", d.growthInterval(), 1, Long.MAX_VALUE));
        if (s.backoffFactor() >= 1) {
            r.problem("backoff_factor", "must be < 1, got " + s.backoffFactor());
        }
        return s;
    }
}
