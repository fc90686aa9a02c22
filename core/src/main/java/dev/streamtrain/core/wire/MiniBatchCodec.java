package dev.streamtrain.core.wire;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minibatch records as safetensors documents (numpy .npz archives are read too, recognised by their zip magic): a
 * float tensor of features {@code [rows, features]} and either an
 * integer tensor of class ids {@code [rows]} or a float tensor of targets {@code [rows]} / {@code [rows, targets]}
 * (regression, binary or soft targets), under configurable names.
 *
 * @param featuresName name of the feature tensor (default {@code x})
 * @param labelsName name of the label tensor (default {@code y})
 */
public record MiniBatchCodec(String featuresName, String labelsName) {

    /** The default names {@code x} and {@code y}. */
    public static MiniBatchCodec standard() {
        return new MiniBatchCodec("x", "y");
    }

    /** Encodes features and float targets ({@code [rows, width]}) as float32. */
    public byte[] encodeTargets(int rows, int features, float[] x, float[] targets, int width) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(featuresName, Tensor.ofFloats(new long[] {rows, features}, x));
        tensors.put(labelsName, Tensor.ofFloats(new long[] {rows, width}, targets));
        return Safetensors.encode(tensors);
    }

    /** Encodes features as float32 and labels as int64. */
    public byte[] encode(int rows, int features, float[] x, long[] y) {
        return Safetensors.encode(classTensors(rows, features, x, y));
    }

    /** As {@link #encode}, as a numpy {@code .npz} archive. */
    public byte[] encodeNpz(int rows, int features, float[] x, long[] y) {
        return Npz.encode(classTensors(rows, features, x, y));
    }

    private Map<String, Tensor> classTensors(int rows, int features, float[] x, long[] y) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(featuresName, Tensor.ofFloats(new long[] {rows, features}, x));
        tensors.put(labelsName, Tensor.ofLongs(new long[] {rows}, y));
        return tensors;
    }

    /**
     * Decodes and checks a record value.
     *
     * @param source where the value came from, kept on the batch
     * @throws WireFormatException naming what is wrong (missing tensor, wrong rank, row counts that differ)
     */
    public MiniBatch decode(byte[] value, OffsetRange source) {
        return toMiniBatch(Npz.looksLikeNpz(value) ? Npz.decode(value) : Safetensors.decode(value), source);
    }

    /**
     * The minibatch in decoded tensors (see {@link MiniBatchDecoder}, which reuses parsed headers).
     *
     * @throws WireFormatException naming what is wrong (missing tensor, wrong rank, row counts that differ)
     */
    public MiniBatch toMiniBatch(Map<String, Tensor> tensors, OffsetRange source) {
        Tensor x = require(tensors, featuresName);
        Tensor y = require(tensors, labelsName);
        if (x.shape().length != 2) {
            throw new WireFormatException("tensor '" + featuresName + "' must be 2-D [rows, features], got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (x.shape()[0] == 0 || x.shape()[1] == 0) {
            throw new WireFormatException("empty minibatch: shape " + java.util.Arrays.toString(x.shape()));
        }
        boolean floatTargets = y.dtype() == DType.F32 || y.dtype() == DType.F64 || y.dtype() == DType.F16;
        if (floatTargets && y.shape().length >= 1 && y.shape().length <= 2 && y.shape()[0] == x.shape()[0]) {
            int width = y.shape().length == 2 ? (int) y.shape()[1] : 1;
            return MiniBatch.withTargets((int) x.shape()[0], (int) x.shape()[1], x.toFloats(), y.toFloats(), width,
                    List.of(source));
        }
        if (y.shape().length != 1 || y.shape()[0] != x.shape()[0]) {
            throw new WireFormatException("tensor '" + labelsName + "' must be 1-D with " + x.shape()[0]
                    + " rows (or float [rows, targets]), got shape " + java.util.Arrays.toString(y.shape()));
        }
        long[] labels;
        try {
            labels = y.toLongs();
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("tensor '" + labelsName + "': " + Tensor.problem(e));
        }
        return new MiniBatch((int) x.shape()[0], (int) x.shape()[1], x.toFloats(), labels, List.of(source));
    }

    private static Tensor require(Map<String, Tensor> tensors, String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new WireFormatException("missing tensor '" + name + "' (found " + tensors.keySet() + ")");
        }
        return t;
    }
}
