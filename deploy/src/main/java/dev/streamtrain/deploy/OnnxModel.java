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
    /** Requests using the session, plus {@link #RETIRED} once it is out of service. */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();
    private static final int RETIRED = 1 << 30;
    private volatile boolean closed;

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

    /**
     * Counts a request that is about to use this session; false once it is retired (take the serving one instead).
     * Every successful acquire must be followed by one {@link #release}.
     */
    public boolean acquire() {
        while (true) {
            int v = users.get();
            if ((v & RETIRED) != 0) {
                return false;
            }
            if (users.compareAndSet(v, v + 1)) {
                return true;
            }
        }
    }

    /** A request is done with the session; the last one out of a retired session closes it. */
    public void release() {
        if (users.decrementAndGet() == RETIRED) {
            closeQuietly();
        }
    }

    /** Takes the session out of service: no new request gets it, and it is closed after the last one in flight. */
    public void retire() {
        int before = users.getAndUpdate(v -> v | RETIRED);
        if (before == 0) {
            closeQuietly();
        }
    }

    /** Whether the session was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the session, logging (not throwing) a failure: for sessions that never served or are done. */
    void closeQuietly() {
        try {
            close();
        } catch (OrtException e) {
            org.slf4j.LoggerFactory.getLogger(OnnxModel.class).warn("closing a retired ONNX Runtime session failed: {}",
                    e.getMessage());
        }
    }

    @Override
    public void close() throws OrtException {
        closed = true;
        session.close();
    }
}
