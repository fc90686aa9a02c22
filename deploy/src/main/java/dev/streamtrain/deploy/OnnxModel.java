package dev.streamtrain.deploy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * An exported model loaded in ONNX Runtime, on one intra-op thread (it shares the machine with the trainer).
 * Thread-safe: ONNX Runtime sessions allow concurrent {@code run} calls.
 */
public final class OnnxModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int inputs;

    /**
     * @param onnx serialized model
     * @param inputs features per row
     */
    public OnnxModel(byte[] onnx, int inputs) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            this.session = env.createSession(onnx, options);
        }
        this.inputs = inputs;
    }

    /** Features per row. */
    public int inputs() {
        return inputs;
    }

    /** Row-major probabilities for {@code rows} rows of row-major features. */
    public float[] predict(float[] x, int rows) throws OrtException {
        if (x.length != rows * inputs) {
            throw new IllegalArgumentException("expected " + rows + " rows of " + inputs + " features, got "
                    + x.length + " values");
        }
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, inputs});
                OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] probs = new float[out.remaining()];
            out.get(probs);
            return probs;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
