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
 * @param weightDecayMode coupled (PyTorch's L2 in the gradient) or decoupled (AdamW-style {@code w *= 1 - lr wd});
 *     AdamW is always decoupled
 * @param noBiasDecay apply weight decay to weight matrices only, never to biases or batch-norm parameters
 * @param zeroInitResidual start each residual branch's batch-norm gamma at 0, so every block begins as identity
 * @param precision fp32, or fp16 mixed precision (GPU only: fp16 compute, fp32 master weights, dynamic loss scaling);
 *     bf16 is refused (DJL's PyTorch engine has no bfloat16 type)
 * @param gradScaler dynamic loss scaling under fp16
 * @param emaDecay keep an exponential moving average of the weights with this decay (0: off)
 * @param emaForEval evaluate, checkpoint and export the averaged weights
 * @param mixupAlpha mixup with {@code lambda ~ Beta(alpha, alpha)} (0: off)
 * @param lrMultipliers per-parameter-group rate multipliers: parameter-name prefix to factor (longest prefix wins)
 * @param device auto, cpu or gpu
 */
public record TricksSettings(double labelSmoothing, double clipGradNorm, double clipNormType, double clipGradValue,
        int accumulate, double flooding, int linearScalingReference, String weightDecayMode, boolean noBiasDecay, boolean zeroInitResidual,
        String precision, GradScalerSettings gradScaler, double emaDecay,
        boolean emaForEval, double mixupAlpha, java.util.Map<String, Double> lrMultipliers, String device) {
    public TricksSettings {
        lrMultipliers = java.util.Map.copyOf(lrMultipliers);
    }

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
                t.choice("weight-decay-mode", "coupled", List.of("coupled", "decoupled")),
                t.bool("no-bias-decay", false),
                t.bool("zero-init-residual", false),
                t.choice("precision", "fp32", List.of("fp32", "fp16", "bf16")),
                gradScaler(t),
                t.decimal("ema-decay", 0, 0, 1, true),
                t.bool("ema-for-eval", false),
                t.decimal("mixup-alpha", 0, 0, 1e6, true),
                multipliers(t),
                t.choice("device", "auto", DEVICES));
        if (s.labelSmoothing() >= 1) {
            t.problem("label-smoothing", "must be < 1, got " + s.labelSmoothing());
        }
        if (s.precision().equals("bf16")) {
            t.problem("precision", "bf16 is not available: DJL's PyTorch engine has no bfloat16 type (a bf16 tensor aborts"
                    + " the JVM); use fp16 on a CUDA GPU, or fp32");
        }
        if (s.emaDecay() >= 1) {
            t.problem("ema-decay", "must be < 1, got " + s.emaDecay());
        }
        if (s.emaForEval() && s.emaDecay() == 0) {
            t.problem("ema-for-eval", "needs tricks.ema-decay > 0");
        }
        return s;
    }

    private static GradScalerSettings gradScaler(ConfigReader t) {
        ConfigReader g = new ConfigReader(t.raw("grad-scaler"), t.path("grad-scaler"), t.problems());
        GradScalerSettings s = GradScalerSettings.read(g);
        g.reportUnknownKeys();
        return s;
    }

    private static java.util.Map<String, Double> multipliers(ConfigReader t) {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        t.passThroughMap("lr-multipliers").forEach((prefix, value) -> {
            try {
                double v = Double.parseDouble(value);
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new NumberFormatException();
                }
                out.put(prefix, v);
            } catch (NumberFormatException e) {
                t.problem("lr-multipliers." + prefix, "must be a number >= 0, got '" + value + "'");
            }
        });
        return out;
    }

    /** The rate multiplier of a parameter: the factor of the longest matching prefix, else 1. */
    public double lrMultiplier(String parameterName) {
        String best = null;
        for (String prefix : lrMultipliers.keySet()) {
            if (parameterName.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? 1.0 : lrMultipliers.get(best);
    }
}
