package dev.streamtrain.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.function.Function;

/**
 * PyTorch {@code RMSprop}: {@code g += weight_decay * w}; {@code sq = alpha * sq + (1 - alpha) * g^2}; centered:
 * {@code ga = alpha * ga + (1 - alpha) * g}, {@code avg = sqrt(sq - ga^2) + eps}, else {@code avg = sqrt(sq) + eps};
 * with momentum {@code buf = momentum * buf + g / avg}, {@code w -= lr * buf}, else {@code w -= lr * g / avg}.
 */
public final class TorchRmsprop extends TorchOptimizer {
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final boolean centered;

    public TorchRmsprop(double alpha, double eps, double weightDecay, boolean centered, StepHyperParameters hyper,
            Function<String, String> nameOf) {
        super(hyper, nameOf);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.centered = centered;
    }

    @Override
    protected void apply(ParamState s, NDArray w, NDArray g, double lr, double momentum) {
        double wd = decay(s, weightDecay);
        NDArray d = wd != 0 ? g.add(w.mul(wd)) : g;
        NDArray squareAvg = s.buffer("square_avg", w::zerosLike);
        ema(squareAvg, alpha, d.mul(d));
        NDArray avg;
        if (centered) {
            NDArray gradAvg = s.buffer("grad_avg", w::zerosLike);
            ema(gradAvg, alpha, d);
            avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt().add(eps);
        } else {
            avg = squareAvg.sqrt().add(eps);
        }
        if (momentum > 0) {
            NDArray buf = s.buffer("momentum_buffer", w::zerosLike);
            buf.muli(momentum).addi(d.div(avg));
            w.subi(buf.mul(lr));
        } else {
            w.subi(d.div(avg).mul(lr));
        }
    }
}
