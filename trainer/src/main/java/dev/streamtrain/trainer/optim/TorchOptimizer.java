package dev.streamtrain.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import dev.streamtrain.core.wire.Tensor;
import dev.streamtrain.trainer.NoGrad;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The common part of StreamTrain's optimizers: PyTorch update rules written on DJL NDArrays (so they run on any
 * device), the rate and momentum/beta1 read from {@link StepHyperParameters} at every update, per-parameter state
 * (named buffers and a step count) keyed by parameter <em>name</em>, exported and restored as named tensors.
 *
 * <p>Each update runs with autograd off (an in-place change of a leaf tensor is otherwise illegal, as under
 * PyTorch's {@code torch.no_grad}), inside an {@link NDScope} that frees temporaries, and zeroes the gradient
 * afterwards (DJL's PyTorch engine leaves that to the optimizer).
 */
public abstract class TorchOptimizer extends Optimizer {
    private static final String STEP = "step";
    private final StepHyperParameters hyper;
    private final Function<String, String> nameOf;
    private final Map<String, ParamState> states = new ConcurrentHashMap<>();
    private java.util.function.Predicate<String> decays = name -> true;
    private java.util.function.ToDoubleFunction<String> lrScale = name -> 1.0;
    private double decoupledDecay;

    /** State of one parameter: its update count and named buffers (exp_avg, square_avg, ...). */
    protected static final class ParamState {
        private final NDArray weight;
        private String name = "";
        private final Map<String, NDArray> buffers = new LinkedHashMap<>();
        private long step;

        ParamState(NDArray weight) {
            this.weight = weight;
        }

        /** The parameter's stable name. */
        public String name() {
            return name;
        }

        /** Updates done on this parameter, this one included (1 at the first update). */
        public long step() {
            return step;
        }

        /** The named buffer, created from {@code init} (kept beyond the update's scope) on first use. */
        public NDArray buffer(String key, Supplier<NDArray> init) {
            return buffers.computeIfAbsent(key, k -> keep(init.get()));
        }

        /** Replaces a buffer by a new array (kept beyond the update's scope); the old one is freed. */
        public NDArray replace(String key, NDArray array) {
            NDArray old = buffers.put(key, keep(array));
            if (old != null) {
                old.close();
            }
            return array;
        }

        /** True when the buffer exists. */
        public boolean has(String key) {
            return buffers.containsKey(key);
        }

        private NDArray keep(NDArray array) {
            NDScope.unregister(array);
            array.attach(weight.getManager());
            return array;
        }
    }

    /**
     * @param hyper where the rate and momentum/beta1 of each update are read
     * @param nameOf maps DJL's parameter id to the parameter's stable name
     */
    protected TorchOptimizer(StepHyperParameters hyper, Function<String, String> nameOf) {
        super(new NoOptions());
        this.hyper = hyper;
        this.nameOf = nameOf;
    }

    /**
     * Applies one update in place.
     *
     * @param s the parameter's state (step already incremented)
     * @param w the weight
     * @param g the gradient (may be read, not kept)
     * @param lr the rate of this update
     * @param momentum momentum or beta1 of this update
     */
    protected abstract void apply(ParamState s, NDArray w, NDArray g, double lr, double momentum);

    @Override
    public final void update(String parameterId, NDArray weight, NDArray grad) {
        String name = nameOf.apply(parameterId);
        NoGrad.run(() -> {
            try (NDScope scope = new NDScope()) {
                ParamState s = states.computeIfAbsent(name, n -> new ParamState(weight));
                s.name = name;
                s.step++;
                double lr = hyper.lr() * lrScale.applyAsDouble(name);
                if (decoupledDecay != 0 && decays.test(name)) {
                    weight.muli(1 - lr * decoupledDecay); // AdamW-style: shrink the weights, not the gradient
                }
                apply(s, weight, grad, lr, hyper.momentum());
            }
        });
        if (weight instanceof PtNDArray pt && pt.hasGradient()) {
            JniUtils.zeroGrad(pt);
        }
    }

    /**
     * Restricts weight decay to the parameters the predicate accepts (no-bias-decay: weight matrices only).
     */
    public void decayOnly(java.util.function.Predicate<String> parameterNames) {
        this.decays = parameterNames;
    }

    /** Per-parameter-group rate multipliers (by parameter name); every schedule then scales each group's rate. */
    public void scaleLearningRates(java.util.function.ToDoubleFunction<String> multiplierByName) {
        this.lrScale = multiplierByName;
    }

    /**
     * Switches to decoupled weight decay ({@code w *= 1 - lr * weightDecay} before the update, as AdamW does) for
     * optimizers whose PyTorch form couples it (L2 in the gradient); the coupled term is then off.
     */
    public void decoupleWeightDecay(double weightDecay) {
        this.decoupledDecay = weightDecay;
    }

    /** The coupled weight decay that applies to this parameter: 0 when excluded or when decay is decoupled. */
    protected double decay(ParamState s, double weightDecay) {
        return decoupledDecay == 0 && decays.test(s.name()) ? weightDecay : 0;
    }

    /** {@code avg = decay * avg + (1 - decay) * x}, in place: PyTorch's moving averages. */
    protected static void ema(NDArray avg, double decay, NDArray x) {
        avg.muli(decay).addi(x.mul(1 - decay));
    }

    /**
     * The state as named tensors: {@code <buffer>.<parameter>} (float32) and {@code step.<parameter>} (int64),
     * sorted by name (written to {@code optimizer.safetensors} in checkpoints).
     */
    public Map<String, Tensor> exportState() {
        Map<String, Tensor> out = new TreeMap<>();
        states.forEach((name, s) -> {
            out.put(STEP + "." + name, Tensor.ofLongs(new long[0], new long[] {s.step}));
            s.buffers.forEach((key, array) -> out.put(key + "." + name, Tensor.ofFloats(array.getShape().getShape(),
                    array.toType(DataType.FLOAT32, false).toFloatArray())));
        });
        return out;
    }

    /**
     * Replaces the state with one from {@link #exportState}, creating buffers beside the named weights.
     *
     * @param weights the live weights by parameter name (for device, dtype and manager)
     */
    public void restoreState(Map<String, Tensor> state, Map<String, NDArray> weights) {
        Map<String, ParamState> restored = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            int dot = e.getKey().indexOf('.');
            String key = e.getKey().substring(0, Math.max(dot, 0));
            String name = e.getKey().substring(dot + 1);
            NDArray weight = weights.get(name);
            if (dot < 0 || weight == null) {
                throw new IllegalArgumentException("optimizer state entry '" + e.getKey()
                        + "' names no known parameter");
            }
            ParamState s = restored.computeIfAbsent(name, n -> new ParamState(weight));
            if (key.equals(STEP)) {
                s.step = e.getValue().toLongs()[0];
            } else {
                s.buffers.put(key, weight.getManager().create(e.getValue().toFloats(), weight.getShape())
                        .toType(weight.getDataType(), false));
            }
        }
        states.values().forEach(s -> s.buffers.values().forEach(NDArray::close));
        states.clear();
        states.putAll(restored);
    }

    /** The builder DJL's base class wants; every option lives in the subclasses instead. */
    private static final class NoOptions extends OptimizerBuilder<NoOptions> {
        @Override
        protected NoOptions self() {
            return this;
        }
    }
}
