package dev.streamtrain.core.config;

import java.util.List;

/**
 * Training tricks, one switch each (section {@code tricks:}); every default leaves the trick off.
 *
 * @param labelSmoothing PyTorch label smoothing eps: the target is {@code (1 - eps) * onehot + eps / K} (0: off)
 * @param clipGradNorm clip the global gradient norm to this (PyTorch {@code clip_grad_norm_}; 0: off)
 * @param clipNormType the norm's p (2 by default; {@code inf} for the max norm)
 * @param clipGradValue clamp every gradient element to {@code [-v, v]} (PyTorch {@code clip_grad_value_}; 0: off)
 * @param accumulate minibatches per optimizer update; the loss is scaled by 1/k (1: off)
 * @param flooding train on {@code |loss - b| + b} so the training loss cannot fall below b (0: off)
 * @param linearScalingReference scale the rate by {@code effective batch / reference} (0: off; 256 is the ResNet
 *     reference)
 * @param noBiasDecay apply weight decay to weight matrices only, never to biases
 * @param emaDecay keep an exponential moving average of the weights with this decay (0: off)
 * @param emaForEval evaluate, checkpoint and export the averaged weights
 * @param device auto, cpu or gpu
 */
public record TricksSettings(double labelSmoothing, double clipGradNorm, double clipNormType, double clipGradValue,
        int accumulate, double flooding, int linearScalingReference, boolean noBiasDecay, double emaDecay,
        boolean emaForEval, String device) {
    /** Devices accepted. */
    public static final List<String> DEVICES = List.of("auto", "cpu", "gpu");

    /** Reads the {@code tricks} section; problems go to the reader. */
    public static TricksSettings read(ConfigReader t) {
        double normType = 2;
        var raw = t.has("clip-norm-type") ? t.raw("clip-norm-type") : null;
        if (raw != null) {
            if (raw.isTextual() && raw.asText().equals("inf")) {
                normType = Double.POSITIVE_INFINITY;
            } else if (raw.isNumber() && raw.asDouble() > 0) {
                normType = raw.asDouble();
            } else {
                t.problem("clip-norm-type", "must be a number > 0 or inf, got " + raw);
            }
        }
        TricksSettings s = new TricksSettings(
                t.decimal("label-smoothing", 0, 0, 1, true),
                t.decimal("clip-grad-norm", 0, 0, 1e12, true),
                normType,
                t.decimal("clip-grad-value", 0, 0, 1e12, true),
                (int) t.integer("accumulate", 1, 1, 1_000_000),
                t.decimal("flooding", 0, 0, 1e6, true),
                (int) t.integer("linear-scaling-reference", 0, 0, 1 << 24),
                t.bool("no-bias-decay", false),
                t.decimal("ema-decay", 0, 0, 1, true),
                t.bool("ema-for-eval", false),
                t.choice("device", "auto", DEVICES));
        if (s.labelSmoothing() >= 1) {
            t.problem("label-smoothing", "must be < 1, got " + s.labelSmoothing());
        }
        if (s.emaDecay() >= 1) {
            t.problem("ema-decay", "must be < 1, got " + s.emaDecay());
        }
        if (s.emaForEval() && s.emaDecay() == 0) {
            t.problem("ema-for-eval", "needs tricks.ema-decay > 0");
        }
        return s;
    }

    /** Everything off, on the best device. */
    public static TricksSettings none() {
        return new TricksSettings(0, 0, 2, 0, 1, 0, 0, false, 0, false, "auto");
    }
}
