package dev.streamtrain.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.trainer.hooks.GradientEvent;
import dev.streamtrain.trainer.hooks.Hooks;
import dev.streamtrain.trainer.hooks.LossEvent;
import dev.streamtrain.trainer.hooks.StepEvent;
import dev.streamtrain.trainer.hooks.Verdict;
import dev.streamtrain.trainer.loss.Losses;
import dev.streamtrain.trainer.tricks.GradientClipping;
import dev.streamtrain.trainer.tricks.Mixup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compute of one optimizer update: forward and backward of each minibatch (gradients accumulate over
 * {@code tricks.accumulate} minibatches), then the step, raising the hooks' events in between. Mixup, gradient
 * accumulation, fp16 mixed precision and linear rate scaling live here rather than in hooks because they change how
 * the forward pass, the backward pass or the step are computed, not what happens around them.
 */
final class Stepper {
    private static final Logger LOG = LoggerFactory.getLogger(Stepper.class);

    /**
     * One update's outcome.
     *
     * @param batches the minibatches it consumed
     * @param meanLoss their mean loss
     * @param gradNorm the global gradient norm before clipping
     * @param verdict proceed when applied; otherwise why it was not (or was undone, for non_finite_parameters)
     */
    record Update(List<MiniBatch> batches, double meanLoss, double gradNorm, Verdict verdict) {
        boolean applied() {
            return !verdict.cancels();
        }
    }

    private final JobConfig cfg;
    private final ModelParts parts;
    private final Hooks hooks;
    private final double normType;
    private final List<MiniBatch> pending = new ArrayList<>();
    private int pendingRows;
    private double pendingLoss;
    private boolean stepping;

    Stepper(JobConfig cfg, ModelParts parts, Hooks hooks) {
        this.cfg = cfg;
        this.parts = parts;
        this.hooks = hooks;
        this.normType = cfg.tricks().clipNormType();
    }

    /**
     * Forward and backward on one minibatch. When a hook cancels the batch (a non-finite loss), nothing is
     * back-propagated and the batch is not part of the update.
     *
     * @return the hooks' verdict; its value is the loss when cancelled
     */
    Verdict forwardBackward(MiniBatch batch) {
        parts.network.prepareInputs(batch);
        try {
            return forwardAndBack(batch);
        } catch (RuntimeException | Error e) { // an engine error: the minibatch is dead-lettered, never trained
            if (!pending.contains(batch)) {
                parts.network.settleInputs(List.of(batch), false);
            }
            throw e;
        }
    }

    private Verdict forwardAndBack(MiniBatch batch) {
        var tricks = cfg.tricks();
        Mixup mixup = parts.mixup;
        try (NDManager m = parts.trainer.getManager().newSubManager()) {
            Mixup.Mixed mixed = mixup == null ? null : mixup.mix(batch.x(), batch.rows(), batch.features());
            NDArray x = m.create(parts.network.scaledInputs(mixed == null ? batch.x() : mixed.x(), batch.rows()),
                    new Shape(batch.rows(), batch.features()));
            String lossName = cfg.training().loss();
            NDArray y = Losses.labels(m, batch, null, lossName, cfg.model().classes());
            if (parts.fp16 != null && pending.isEmpty()) {
                parts.fp16.loadMasters(parts.network.weightsByName()); // the masters moved at the last update
            }
            try (GradientCollector collector = parts.trainer.newGradientCollector()) {
                NDArray logits = parts.fp16 != null ? parts.fp16.forward(x)
                        : parts.trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray l = parts.loss.evaluate(new NDList(y), new NDList(logits));
                if (mixed != null) {
                    NDArray partner = Losses.labels(m, batch, mixed.permutation(), lossName, cfg.model().classes());
                    NDArray l2 = parts.loss.evaluate(new NDList(partner), new NDList(logits));
                    l = l.mul((float) mixed.lambda()).add(l2.mul((float) (1 - mixed.lambda())));
                }
                float value = l.getFloat();
                LossEvent event = new LossEvent(batch, value, l);
                Verdict verdict = hooks.afterLoss(event);
                if (verdict.cancels()) {
                    parts.network.settleInputs(List.of(batch), false);
                } else {
                    NDArray objective = event.objective();
                    if (tricks.accumulate() > 1) {
                        objective = objective.div(tricks.accumulate());
                    }
                    if (parts.scaler != null) {
                        objective = objective.mul((float) parts.scaler.scale());
                    }
                    collector.backward(objective);
                    pending.add(batch);
                    pendingRows += batch.rows();
                    pendingLoss += value;
                }
                if (parts.fp16 != null) {
                    parts.fp16.storeRunningStatistics(parts.network.weightsByName());
                }
                return verdict;
            }
        }
    }

    /** True when enough minibatches are accumulated for an update. */
    boolean updateDue() {
        return pending.size() >= cfg.tricks().accumulate();
    }

    /** True when minibatches wait for an update. */
    boolean hasPending() {
        return !pending.isEmpty();
    }

    /**
     * Applies one update from the accumulated gradients at {@code baseRate} (linearly scaled to the effective batch
     * when configured) and {@code momentum}; consumes the accumulation whether or not it is applied.
     *
     * @param update the number the update will have (1-based)
     */
    Update apply(long update, double baseRate, double momentum) {
        if (parts.fp16 == null) {
            return apply(update, baseRate, momentum, null);
        }
        try (NDManager m = parts.trainer.getManager().newSubManager()) {
            Map<String, NDArray> grads = parts.fp16.takeUnscaledGradients(parts.scaler.scale(), m);
            if (!parts.scaler.update(Fp16Compute.allFinite(grads.values()))) {
                var s = parts.scaler.state();
                if (s.skippedSteps() <= 10 || Long.bitCount(s.skippedSteps()) == 1) {
                    LOG.info("fp16 gradients overflowed at update {}: step skipped, loss scale now {} ({} skipped)",
                            update, s.scale(), s.skippedSteps());
                }
                // GradScaler's expected skip: not a guard alert, but the minibatches were not trained either
                return consume(Double.NaN, Verdict.cancelUpdate("fp16_overflow", Double.NaN));
            }
            return apply(update, baseRate, momentum, grads);
        }
    }

    /** The update from the masters' own gradients, or ({@code fp32Grads}) from unscaled fp16 gradients by name. */
    private Update apply(long update, double baseRate, double momentum, Map<String, NDArray> fp32Grads) {
        Map<String, NDArray> trainable = parts.network.trainableArraysByName();
        double gradNorm;
        Verdict verdict;
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) { // frees the gradient handles
            List<NDArray> grads = fp32Grads != null ? List.copyOf(fp32Grads.values())
                    : trainable.values().stream().map(NDArray::getGradient).toList();
            gradNorm = GradientClipping.totalNorm(grads, normType);
            verdict = hooks.afterBackward(new GradientEvent(update, grads, gradNorm));
        }
        if (verdict.cancels()) {
            zeroGradients(trainable);
            return consume(gradNorm, verdict);
        }
        double rate = baseRate;
        if (cfg.tricks().linearScalingReference() > 0) {
            rate *= (double) pendingRows / cfg.tricks().linearScalingReference();
        }
        parts.hyper.set(rate, momentum);
        stepping = true; // from here an error may leave a partial step in the weights
        if (fp32Grads == null) {
            parts.trainer.step();
        } else {
            fp32Grads.forEach((name, g) -> parts.optimizer.update(parts.idsByName.get(name), trainable.get(name), g));
        }
        return consume(gradNorm, hooks.afterStep(new StepEvent(update, parts.network.weightsByName())));
    }

    /** True when an error interrupted an update after its step began: the weights may hold part of it. */
    boolean stepInterrupted() {
        return stepping;
    }

    /** Ends the accumulation: the update's record; its minibatches join the input statistics when it applied. */
    private Update consume(double gradNorm, Verdict verdict) {
        parts.network.settleInputs(pending, !verdict.cancels());
        return drain(gradNorm, verdict);
    }

    private Update drain(double gradNorm, Verdict verdict) {
        stepping = false;
        Update u = new Update(List.copyOf(pending), pending.isEmpty() ? Double.NaN : pendingLoss / pending.size(),
                gradNorm, verdict);
        pending.clear();
        pendingRows = 0;
        pendingLoss = 0;
        return u;
    }

    /** Drops the accumulation (a rollback): the minibatches not yet applied, for the caller to quarantine. */
    List<MiniBatch> dropPending() {
        if (parts.fp16 == null) {
            zeroGradients(parts.network.trainableArraysByName());
        } else {
            try (NDManager m = parts.trainer.getManager().newSubManager()) {
                parts.fp16.takeUnscaledGradients(1, m); // zeroes the fp16 copy's gradients
            }
        }
        parts.network.settleInputs(pending, false);
        return drain(Double.NaN, Verdict.proceed()).batches();
    }

    /** Resets gradient buffers themselves (NaN * 0 would stay NaN), as the optimizer does after a step. */
    private static void zeroGradients(Map<String, NDArray> trainable) {
        NoGrad.run(() -> trainable.values().forEach(w -> {
            if (w instanceof ai.djl.pytorch.engine.PtNDArray pt && pt.hasGradient()) {
                ai.djl.pytorch.jni.JniUtils.zeroGrad(pt);
            }
        }));
    }
}
