package dev.streamtrain.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.function.Function;

/**
 * PyTorch {@code Adagrad}: {@code g += weight_decay * w}; {@code clr = lr / (1 + (step - 1) * lr_decay)};
 * {@code sum += g^2}; {@code w -= clr * g / (sqrt(sum) + eps)}.
 */
public final class TorchAdagrad extends TorchOptimizer {
    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulatorValue;
    private final double eps;

    public TorchAdagrad(double lrDecay, double weightDecay, double initialAccumulatorValue, double eps,
            StepHyperParameters hyper, Function<String, String> nameOf) {
        super(hyper, nameOf);
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulatorValue = initialAccumulatorValue;
        this.eps = eps;
    }

    @Override
    protected void apply(ParamState s, NDArray w, NDArray g, double lr, double momentum) {
        double wd = decay(s, weightDecay);
        NDArray d = wd != 0 ? g.add(w.mul(wd)) : g;
        double clr = lr / (1 + (s.step() - 1) * lrDecay);
        NDArray sum = s.buffer("sum", () -> w.zerosLike().addi(initialAccumulatorValue));
        sum.addi(d.mul(d));
        w.subi(d.div(sum.sqrt().add(eps)).mul(clr));
    }
}
