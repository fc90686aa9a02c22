package dev.streamtrain.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.trainer.loss.Losses;
import dev.streamtrain.trainer.optim.Optimizers;
import dev.streamtrain.trainer.optim.StepHyperParameters;
import dev.streamtrain.trainer.optim.TorchOptimizer;
import dev.streamtrain.trainer.tricks.Devices;
import dev.streamtrain.trainer.tricks.DynamicLossScaler;
import dev.streamtrain.trainer.tricks.Mixup;
import dev.streamtrain.trainer.tricks.WeightEma;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything a job's model is trained with, built once from the job: the network and DJL trainer on the chosen
 * device, the loss, the optimizer (with no-bias-decay, per-group multipliers and decoupled decay applied), and the
 * optional weight average, fp16 compute copy, loss scaler and mixup. Loads the PyTorch natives on first use (seconds).
 */
final class ModelParts implements AutoCloseable {
    final MlpNetwork network;
    final Model model;
    final Trainer trainer;
    final Loss loss;
    final TorchOptimizer optimizer;
    final StepHyperParameters hyper;
    final Evaluator evaluator;
    final WeightEma ema;
    final Fp16Compute fp16;
    final DynamicLossScaler scaler;
    final Mixup mixup;
    final Map<String, String> idsByName;

    /**
     * @param hyper the rate and momentum the optimizer reads at every update
     * @param fp16OnCpu let tests run the fp16 path on the CPU, which users are refused
     */
    ModelParts(JobConfig cfg, StepHyperParameters hyper, boolean fp16OnCpu) {
        Engine.getInstance().setRandomSeed((int) cfg.training().seed());
        this.hyper = hyper;
        var tricks = cfg.tricks();
        var o = cfg.optimizer();
        Device device = Devices.select(tricks.device());
        boolean mixed = tricks.precision().equals("fp16");
        if (mixed && !device.isGpu() && !fp16OnCpu) {
            throw new IllegalStateException("tricks.precision fp16 needs a CUDA GPU: mixed precision is not available on"
                    + " the CPU (this run trains on " + device + "); use precision: fp32");
        }
        this.loss = Losses.create(cfg.training().loss(), tricks.labelSmoothing(), cfg.training().huberDelta());
        this.ema = tricks.emaDecay() > 0 ? new WeightEma(tricks.emaDecay()) : null;
        this.network = new MlpNetwork(cfg.model());
        this.model = network.newModel(cfg.job());
        Map<String, String> names = new ConcurrentHashMap<>();
        this.optimizer = Optimizers.create(o, hyper, names::get);
        if (tricks.noBiasDecay()) {
            optimizer.decayOnly(name -> name.startsWith("layers.") && name.endsWith(".weight"));
        }
        optimizer.scaleLearningRates(tricks::lrMultiplier);
        if (tricks.weightDecayMode().equals("decoupled") && !o.name().equals("AdamW")) {
            optimizer.decoupleWeightDecay(o.weightDecay());
        }
        this.mixup = tricks.mixupAlpha() > 0 ? new Mixup(tricks.mixupAlpha(), cfg.training().seed()) : null;
        this.trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer)
                .optDevices(new Device[] {device}));
        trainer.initialize(new Shape(1, cfg.model().inputs()));
        if (tricks.zeroInitResidual()) {
            NoGrad.run(network::zeroInitResidualBranches);
        }
        names.putAll(network.namesById());
        this.idsByName = network.idsByName();
        this.fp16 = mixed ? new Fp16Compute(cfg.model(), trainer.getManager(), device) : null;
        this.scaler = mixed ? new DynamicLossScaler(tricks.gradScaler()) : null;
        this.evaluator = new Evaluator(trainer, loss, cfg.training().loss(), cfg.model().head(), cfg.model().classes(),
                cfg.validation().topK());
    }

    /**
     * The loop's hooks, in order: the non-finite guard first (nothing non-finite reaches flooding, clipping or the
     * average), then flooding, gradient clipping and the weight average as the job switches them on.
     */
    dev.streamtrain.trainer.hooks.Hooks hooks(dev.streamtrain.core.config.TricksSettings tricks) {
        var hooks = new dev.streamtrain.trainer.hooks.Hooks().add(new dev.streamtrain.trainer.hooks.NonFiniteGuard());
        if (tricks.flooding() > 0) {
            hooks.add(new dev.streamtrain.trainer.tricks.Flooding(tricks.flooding()));
        }
        if (tricks.clipGradNorm() > 0 || tricks.clipGradValue() > 0) {
            hooks.add(new dev.streamtrain.trainer.tricks.ClipGradients(tricks.clipGradNorm(), tricks.clipGradValue()));
        }
        if (ema != null) {
            hooks.add(ema);
        }
        return hooks;
    }

    /** Runs work with the weights that are evaluated and exported: the averaged ones under ema-for-eval. */
    <T> T withServedWeights(boolean emaForEval, java.util.function.Supplier<T> work) {
        return ema != null && emaForEval ? ema.withAverage(network.arraysByName(), work) : work.get();
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
