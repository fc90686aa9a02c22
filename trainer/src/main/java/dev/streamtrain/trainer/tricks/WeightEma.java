package dev.streamtrain.trainer.tricks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.streamtrain.core.wire.Tensor;
import dev.streamtrain.trainer.NoGrad;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An exponential moving average of the weights, {@code ema = decay * ema + (1 - decay) * w} after every update
 * (initialised to the weights at the first one), kept on the weights' device. {@link #withAverage} runs work (an
 * evaluation, a snapshot, a prediction) with the averaged weights swapped in, and swaps the live ones back after.
 */
public final class WeightEma implements dev.streamtrain.trainer.hooks.TrainingHook {
    private static final NDIndex ALL = new NDIndex("...");
    private final double decay;
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();

    /** @param decay in [0, 1) */
    public WeightEma(double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        this.decay = decay;
    }

    /** Folds the current weights into the average. */
    public void update(Map<String, NDArray> weights) {
        NoGrad.run(() -> {
            try (NDScope scope = new NDScope()) {
                weights.forEach((name, w) -> {
                    NDArray avg = shadow.get(name);
                    if (avg == null) {
                        avg = w.duplicate();
                        NDScope.unregister(avg);
                        avg.attach(w.getManager());
                        shadow.put(name, avg);
                    } else {
                        avg.muli(decay).addi(w.mul(1 - decay));
                    }
                });
            }
        });
    }

    /** Hook: folds the weights into the average after every applied step. */
    @Override
    public dev.streamtrain.trainer.hooks.Verdict afterStep(dev.streamtrain.trainer.hooks.StepEvent e) {
        update(e.parameters());
        return dev.streamtrain.trainer.hooks.Verdict.proceed();
    }

    /** Runs {@code work} with the averaged weights in place of the live ones (no-op swap before the first update). */
    public <T> T withAverage(Map<String, NDArray> weights, Supplier<T> work) {
        swap(weights);
        try {
            return work.get();
        } finally {
            swap(weights);
        }
    }

    private void swap(Map<String, NDArray> weights) {
        NoGrad.run(() -> {
            try (NDScope scope = new NDScope()) {
                weights.forEach((name, w) -> {
                    NDArray avg = shadow.get(name);
                    if (avg != null) {
                        NDArray live = w.duplicate();
                        w.set(ALL, avg);
                        avg.set(ALL, live);
                    }
                });
            }
        });
    }

    /** Restores an average saved by {@link #export}, beside the named weights. */
    public void restore(Map<String, Tensor> saved, Map<String, NDArray> weights) {
        shadow.values().forEach(NDArray::close);
        shadow.clear();
        saved.forEach((name, t) -> {
            NDArray w = weights.get(name);
            if (w == null) {
                throw new IllegalArgumentException("weight average names unknown parameter " + name);
            }
            shadow.put(name, w.getManager().create(t.toFloats(), w.getShape()).toType(w.getDataType(), false));
        });
    }

    /** The averaged weights as named tensors (checkpoints keep them). */
    public Map<String, Tensor> export() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        shadow.forEach((name, a) -> out.put(name, Tensor.ofFloats(a.getShape().getShape(),
                a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray())));
        return out;
    }
}
