package dev.streamtrain.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * PyTorch's elementwise losses with mean reduction, on float targets shaped like the predictions:
 * {@code mse} ({@code MSELoss}: {@code (p - t)^2}), {@code l1} ({@code L1Loss}: {@code |p - t|}), {@code huber}
 * ({@code HuberLoss}: {@code 0.5 d^2} if {@code |d| < delta}, else {@code delta (|d| - 0.5 delta)}) and {@code bce}
 * ({@code BCEWithLogitsLoss} on logits z: {@code max(z, 0) - z t + log(1 + exp(-|z|))}, stable for large |z|).
 * (DJL's own L2 loss halves the square; these match PyTorch.)
 */
public final class ElementwiseLoss extends Loss {
    private final String kind;
    private final double delta;

    /**
     * @param kind mse, l1, huber or bce
     * @param delta the Huber loss's delta (ignored otherwise)
     */
    public ElementwiseLoss(String kind, double delta) {
        super(kind);
        if (!java.util.List.of("mse", "l1", "huber", "bce").contains(kind)) {
            throw new IllegalArgumentException("unknown elementwise loss " + kind);
        }
        this.kind = kind;
        this.delta = delta;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray p = predictions.singletonOrThrow();
        NDArray t = labels.singletonOrThrow().toType(p.getDataType(), false).reshape(p.getShape());
        NDArray d = p.sub(t);
        NDArray elementwise = switch (kind) {
            case "mse" -> d.mul(d);
            case "l1" -> d.abs();
            case "huber" -> {
                NDArray a = d.abs();
                float dl = (float) delta;
                yield a.lt(dl).toType(p.getDataType(), false).mul(d.mul(d).mul(0.5f))
                        .add(a.gte(dl).toType(p.getDataType(), false).mul(a.sub(0.5f * dl).mul(dl)));
            }
            default -> p.maximum(0f).sub(p.mul(t)).add(p.abs().neg().exp().add(1f).log());
        };
        return elementwise.mean();
    }
}
