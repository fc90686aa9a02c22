package dev.streamtrain.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import dev.streamtrain.core.wire.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * PyTorch's {@code torch.optim.SGD} as a DJL optimizer: {@code d = g + weight_decay * w}; with momentum
 * {@code buf = d} at the first step, then {@code buf = momentum * buf + (1 - dampening) * d}; {@code d = d +
 * momentum * buf} with Nesterov, else {@code d = buf}; {@code w -= lr * d}. The rate and momentum are read from
 * {@link StepHyperParameters} at every update, so schedules can cycle them. The momentum buffers are keyed by
 * parameter name (DJL's parameter ids differ per block instance) and export/restore as named tensors.
 *
 * <p>DJL's PyTorch engine leaves zeroing the gradient to the optimizer: this one zeroes it after the update.
 */
public final class TorchSgd extends Optimizer {
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;
    private final StepHyperParameters hyper;
    private final Function<String, String> nameOf;
    private final Map<String, NDArray> momentumBuffers = new ConcurrentHashMap<>();

    /**
     * @param dampening PyTorch dampening (default 0)
     * @param nesterov Nesterov momentum (needs momentum > 0 and dampening 0, as in PyTorch)
     * @param weightDecay L2 penalty added to the gradient
     * @param hyper where the rate and momentum of each update are read
     * @param nameOf maps DJL's parameter id to the parameter's stable name
     */
    public TorchSgd(double dampening, boolean nesterov, double weightDecay, StepHyperParameters hyper,
            Function<String, String> nameOf) {
        super(new NoOptions());
        if (nesterov && (hyper.momentum() <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("nesterov requires momentum > 0 and dampening = 0, got momentum="
                    + hyper.momentum() + " dampening=" + dampening);
        }
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.hyper = hyper;
        this.nameOf = nameOf;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String name = nameOf.apply(parameterId);
        double lr = hyper.lr();
        double momentum = hyper.momentum();
        // an in-place update of a leaf tensor is only legal with autograd off (torch.no_grad in PyTorch's step)
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            NDArray d = weightDecay != 0 ? grad.add(weight.mul(weightDecay)) : grad;
            if (momentum != 0) {
                NDArray buf = momentumBuffers.get(name);
                if (buf == null) {
                    buf = d.duplicate();
                    NDScope.unregister(buf);
                    buf.attach(weight.getManager());
                    momentumBuffers.put(name, buf);
                } else {
                    buf.muli(momentum).addi(d.mul(1 - dampening));
                }
                d = nesterov ? d.add(buf.mul(momentum)) : buf;
            }
            weight.subi(d.mul(lr));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        if (weight instanceof PtNDArray pt && pt.hasGradient()) {
            JniUtils.zeroGrad(pt);
        }
    }

    /** Momentum buffers by parameter name, copied out as float32 tensors (for checkpoints). */
    public Map<String, Tensor> exportState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        momentumBuffers.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                out.put("momentum_buffer." + e.getKey(), Tensor.ofFloats(e.getValue().getShape().getShape(),
                        e.getValue().toFloatArray())));
        return out;
    }

    /**
     * Restores momentum buffers exported by {@link #exportState}, creating them beside the named weights.
     *
     * @param weights the live weights by parameter name (for device, dtype and manager)
     */
    public void restoreState(Map<String, Tensor> state, Map<String, NDArray> weights) {
        momentumBuffers.values().forEach(NDArray::close);
        momentumBuffers.clear();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String name = e.getKey().substring("momentum_buffer.".length());
            NDArray weight = weights.get(name);
            if (weight == null) {
                throw new IllegalArgumentException("optimizer state names unknown parameter " + name);
            }
            NDArray buf = weight.getManager().create(e.getValue().toFloats(), weight.getShape())
                    .toType(weight.getDataType(), false);
            momentumBuffers.put(name, buf);
        }
    }

    /** The builder DJL's base class wants; every option lives in this class instead. */
    private static final class NoOptions extends OptimizerBuilder<NoOptions> {
        @Override
        protected NoOptions self() {
            return this;
        }
    }
}
