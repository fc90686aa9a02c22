package dev.streamtrain.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.function.Function;

/**
 * PyTorch {@code SGD}: {@code d = g + weight_decay * w}; with momentum {@code buf = d} at the first step, then
 * {@code buf = momentum * buf + (1 - dampening) * d}; {@code d = d + momentum * buf} with Nesterov, else
 * {@code d = buf}; {@code w -= lr * d}.
 */
public final class TorchSgd extends TorchOptimizer {
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;

    /**
     * @param dampening dampening (default 0)
     * @param nesterov Nesterov momentum (needs momentum > 0 and dampening 0, as in PyTorch)
     * @param weightDecay L2 penalty added to the gradient
     */
    public TorchSgd(double dampening, boolean nesterov, double weightDecay, StepHyperParameters hyper,
            Function<String, String> nameOf) {
        super(hyper, nameOf);
        if (nesterov && (hyper.momentum() <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("nesterov requires momentum > 0 and dampening = 0, got momentum="
                    + hyper.momentum() + " dampening=" + dampening);
        }
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void apply(ParamState s, NDArray w, NDArray g, double lr, double momentum) {
        double wd = decay(s, weightDecay);
        NDArray d = wd != 0 ? g.add(w.mul(wd)) : g;
        if (momentum != 0) {
            boolean first = !s.has("momentum_buffer");
            NDArray buf = s.buffer("momentum_buffer", d::duplicate);
            if (!first) {
                // PyTorch adds d with alpha 1 - dampening in one op; DJL has no alpha, and d * 1 is d exactly: the
                // default dampening of 0 spares a multiplication and an array per parameter per update
                buf.muli(momentum).addi(dampening == 0 ? d : d.mul(1 - dampening));
            }
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        w.subi(d.mul(lr));
    }
}
