package dev.streamtrain.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.function.Function;

/**
 * PyTorch {@code Adadelta}: {@code g += weight_decay * w}; {@code sq = rho * sq + (1 - rho) * g^2};
 * {@code delta = sqrt(acc + eps) / sqrt(sq + eps) * g}; {@code acc = rho * acc + (1 - rho) * delta^2};
 * {@code w -= lr * delta}.
 */
public final class TorchAdadelta extends TorchOptimizer {
    private final double rho;
    private final double eps;
    private final double weightDecay;

    public TorchAdadelta(double rho, double eps, double weightDecay, StepHyperParameters hyper,
            Function<String, String> nameOf) {
        super(hyper, nameOf);
        this.rho = rho;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void apply(ParamState s, NDArray w, NDArray g, double lr, double momentum) {
        double wd = decay(s, weightDecay);
        NDArray d = wd != 0 ? g.add(w.mul(wd)) : g;
        NDArray squareAvg = s.buffer("square_avg", w::zerosLike);
        NDArray accDelta = s.buffer("acc_delta", w::zerosLike);
        ema(squareAvg, rho, d.mul(d));
        NDArray delta = accDelta.add(eps).sqrt().div(squareAvg.add(eps).sqrt()).mul(d);
        ema(accDelta, rho, delta.mul(delta));
        w.subi(delta.mul(lr));
    }
}
