package dev.streamtrain.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.streamtrain.core.model.ModelSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fp16 half of mixed-precision training: a copy of the network whose parameters are float16, used only for the
 * training forward and backward pass. The fp32 network stays the model of record (the "master weights": the optimizer
 * steps it; evaluation, checkpoints, the weight average and the export read it).
 *
 * <p>Why a copy and not a cast inside the graph (PyTorch autocast): DJL's {@code NDArray.toType} runs under
 * {@code NoGradGuard}, so a cast cuts the autograd graph. The copy is refreshed from the masters before each update's
 * first forward; its running statistics flow back after each forward; its fp16 gradients are unscaled into fp32 for
 * the step. The logits are lifted to fp32 inside the graph by adding an fp32 zero tensor (type promotion, which
 * autograd follows), so the loss is computed in fp32 as autocast does.
 */
final class Fp16Compute implements AutoCloseable {
    private final MlpNetwork half;
    private final NDManager manager;
    private final ParameterStore store;

    Fp16Compute(ModelSpec spec, NDManager parent, Device device) {
        this.manager = parent.newSubManager(device);
        // the input normalization stays in fp32 (raw units overflow fp16): the trainer scales x as it copies it in
        this.half = new MlpNetwork(spec.withNormalization(dev.streamtrain.core.model.Normalization.none()));
        half.block().initialize(manager, DataType.FLOAT16, new Shape(1, spec.inputs()));
        this.store = new ParameterStore(manager, false);
    }

    /** Copies the fp32 masters (running statistics included; not the input normalization) into the fp16 copy. */
    void loadMasters(Map<String, NDArray> masters) {
        copy(masters, half.arraysByName(), DataType.FLOAT16);
    }

    /** Copies the running statistics the fp16 forward updated back into the masters. */
    void storeRunningStatistics(Map<String, NDArray> masters) {
        Map<String, NDArray> stats = new LinkedHashMap<>(half.arraysByName());
        stats.keySet().removeAll(half.trainableArraysByName().keySet());
        Map<String, NDArray> targets = new LinkedHashMap<>(masters);
        targets.keySet().retainAll(stats.keySet());
        copy(stats, targets, DataType.FLOAT32);
    }

    private static void copy(Map<String, NDArray> from, Map<String, NDArray> to, DataType type) {
        NoGrad.run(() -> {
            try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                to.forEach((name, target) -> target.set(new NDIndex("..."), from.get(name).toType(type, false)));
            }
        });
    }

    /**
     * The training forward pass in fp16 of inputs the trainer already scaled in fp32; returns the
     * logits as fp32, still in the autograd graph.
     */
    NDArray forward(NDArray x) {
        NDArray x16 = x.toType(DataType.FLOAT16, false);
        NDArray out = half.block().forward(store, new NDList(x16), true).singletonOrThrow();
        return out.add(x.getManager().zeros(out.getShape(), DataType.FLOAT32));
    }

    /**
     * The fp16 gradients divided by the loss scale, as fp32 arrays by name (attached to {@code into}); zeroes the
     * fp16 gradients for the next update.
     */
    Map<String, NDArray> takeUnscaledGradients(double scale, NDManager into) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        NoGrad.run(() -> half.trainableArraysByName().forEach((name, w) -> {
            try (NDArray g = w.getGradient()) {
                NDArray g32 = g.toType(DataType.FLOAT32, true).divi((float) scale);
                g32.attach(into);
                out.put(name, g32);
            }
            if (w instanceof ai.djl.pytorch.engine.PtNDArray pt && pt.hasGradient()) {
                ai.djl.pytorch.jni.JniUtils.zeroGrad(pt); // inf * 0 would leave NaN: reset the buffer itself
            }
        }));
        return out;
    }

    /** True when every array holds only finite values. */
    static boolean allFinite(Iterable<NDArray> arrays) {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            for (NDArray a : arrays) {
                if (a.isNaN().logicalOr(a.isInfinite()).any().getBoolean()) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        manager.close();
    }
}
