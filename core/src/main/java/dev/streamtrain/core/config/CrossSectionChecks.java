package dev.streamtrain.core.config;

import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.schedule.LrPolicy;
import java.util.List;

/**
 * Settings that each read well alone but cannot take effect with the rest of the job: refused at load with the
 * reason, as PyTorch refuses them (a {@code CyclicLR} that cycles momentum on an optimizer without one), rather than
 * silently ignored. Each check names the key the user set and the setting that makes it moot. A setting at its
 * default is never refused: {@code run --check} prints every default, and its output must load back as the job.
 */
final class CrossSectionChecks {
    private CrossSectionChecks() {
    }

    /** Reports every moot setting to {@code r} (the job file's root reader). */
    static void check(ConfigReader r, ModelSpec model, OptimizerSettings o, LrPolicy schedule, TricksSettings t,
            JobConfig.TrainingSettings training, ValidationSettings validation) {
        String loss = training.loss();
        if (t.labelSmoothing() > 0 && !loss.equals("cross_entropy")) {
            r.problem("tricks.label-smoothing", "applies to cross_entropy only (PyTorch's CrossEntropyLoss"
                    + " label_smoothing); training.loss is " + loss);
        }
        if (training.huberDelta() != 1.0 && !loss.equals("huber")) {
            r.problem("training.huber-delta", "is HuberLoss's delta; training.loss is " + loss + " (use loss: huber,"
                    + " or leave huber-delta out)");
        }
        if (!t.gradScaler().equals(GradScalerSettings.defaults()) && !t.precision().equals("fp16")) {
            r.problem("tricks.grad-scaler", "scales fp16 losses (PyTorch's GradScaler); tricks.precision is "
                    + t.precision());
        }
        weightDecay(r, o, t);
        if (model.hidden().isEmpty()) {
            var moot = new java.util.LinkedHashMap<String, Boolean>();
            moot.put("model.batch-norm", model.batchNorm());
            moot.put("model.dropout", model.dropout() > 0);
            moot.put("model.activation", !model.activation().equals("relu"));
            moot.forEach((key, set) -> {
                if (set) {
                    r.problem(key, "acts on hidden layers, and model.hidden is [] (the model is one dense layer)");
                }
            });
        }
        if (validation.topK() != 5 && !model.head().equals("softmax")) {
            r.problem("validation.top-k", "is a top-k accuracy over classes, for a softmax head; model.head is "
                    + model.head());
        } else if (validation.topK() != 5 && validation.topK() >= model.classes()) {
            r.problem("validation.top-k", "must be below model.classes (" + model.classes() + "): the top-"
                    + validation.topK() + " accuracy of " + model.classes() + " classes is always 1");
        }
        if (schedule != null && schedule.schedule().cyclesMomentum() && List.of("Adagrad", "Adadelta").contains(o.name())) {
            r.problem("schedule", "cycles the momentum (cycle_momentum, on by default) and " + o.name() + " has no"
                    + " momentum or beta1; PyTorch refuses this too: set cycle_momentum: false");
        }
    }

    private static void weightDecay(ConfigReader r, OptimizerSettings o, TricksSettings t) {
        if (t.noBiasDecay() && o.weightDecay() == 0) {
            r.problem("tricks.no-bias-decay", "has no effect: optimizer.params.weight_decay is 0");
        }
        if (t.weightDecayMode().equals("decoupled") && o.weightDecay() == 0) {
            r.problem("tricks.weight-decay-mode", "decoupled has no effect: optimizer.params.weight_decay is 0");
        }
    }
}
