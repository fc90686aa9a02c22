package dev.streamtrain.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.function.Function;

/**
 * PyTorch {@code Adam} and {@code AdamW}. Adam: {@code g += weight_decay * w}; AdamW instead decays the weights
 * directly, {@code w *= 1 - lr * weight_decay}. Then {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
 * {@code denom = sqrt(v) / sqrt(1 - b2^t) + eps} (with AMSGrad {@code max(v)} instead of {@code v}) and
 * {@code w -= lr / (1 - b1^t) * m / denom}. beta1 is read per update, so schedules can cycle it; as in PyTorch the
 * bias correction uses the current beta1.
 */
public final class TorchAdam extends TorchOptimizer {
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final boolean decoupled;

    /**
     * @param decoupled true for AdamW (decoupled weight decay)
     */
    public TorchAdam(double beta2, double eps, double weightDecay, boolean amsgrad, boolean decoupled,
            StepHyperParameters hyper, Function<String, String> nameOf) {
        super(hyper, nameOf);
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
    }

    @Override
    protected void apply(ParamState s, NDArray w, NDArray g, double lr, double beta1) {
        NDArray d = g;
        double wd = decay(s, weightDecay);
        if (decoupled) {
            w.muli(1 - lr * wd);
        } else if (wd != 0) {
            d = g.add(w.mul(wd));
        }
        NDArray expAvg = s.buffer("exp_avg", w::zerosLike);
        NDArray expAvgSq = s.buffer("exp_avg_sq", w::zerosLike);
        ema(expAvg, beta1, d);
        ema(expAvgSq, beta2, d.mul(d));
        double bias1 = 1 - Math.pow(beta1, s.step());
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, s.step()));
        NDArray second = expAvgSq;
        if (amsgrad) {
            NDArray max = s.buffer("max_exp_avg_sq", w::zerosLike);
            second = s.replace("max_exp_avg_sq", max.maximum(expAvgSq));
        }
        NDArray denom = second.sqrt().div(bias2Sqrt).add(eps);
        w.subi(expAvg.div(denom).mul(lr / bias1));
    }
}
