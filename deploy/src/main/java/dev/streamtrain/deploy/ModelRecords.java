package dev.streamtrain.deploy;

import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The served versions as they travel on the compacted {@code <job>.models} topic, so other machines can serve what the
 * trainer serves ({@code streamtrain serve --from-topic}). One record per promotion or serving rollback, keyed by the
 * job (compaction keeps the newest: the version serving now). The value is the ONNX file; headers carry what a
 * follower needs to serve it: {@value #VERSION}, {@value #UPDATES}, {@value #SPEC} (the model's {@code model.json}),
 * {@value #VALIDATION} (JSON, may be absent) and {@value #PARITY}.
 */
public final class ModelRecords {
    static final String VERSION = "st-model-version";
    static final String UPDATES = "st-model-updates";
    static final String SPEC = "st-model-spec";
    static final String VALIDATION = "st-model-validation";
    static final String PARITY = "st-model-parity";
    /**
     * The largest ONNX file the topic takes (bytes): the topic is created with this {@code max.message.bytes} and
     * the producer with this {@code max.request.size}, above the broker's 1 MB default.
     */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    /** A record that is not a served version as this format writes it. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    /**
     * One served version.
     *
     * @param version its label
     * @param updates updates it was trained for
     * @param spec the model's shape (inputs, outputs, head)
     * @param validation its validation metrics (null: none)
     * @param parity its verified agreement with the float64 reference
     * @param onnx the ONNX file
     */
    record Served(String version, long updates, ModelSpec spec, ValidationMetrics validation, double parity,
            byte[] onnx) {
    }

    private ModelRecords() {
    }

    /** The topic of a job's served versions. */
    public static String topic(String job) {
        return job + ".models";
    }

    /** The headers of a record carrying {@code served}, whose {@code model.json} is {@code specJson}. */
    static Map<String, byte[]> headers(Served served, byte[] specJson) throws IOException {
        Map<String, byte[]> h = new LinkedHashMap<>();
        h.put(VERSION, utf8(served.version()));
        h.put(UPDATES, utf8(Long.toString(served.updates())));
        h.put(SPEC, specJson);
        if (served.validation() != null) {
            h.put(VALIDATION, Events.mapper().writeValueAsBytes(served.validation()));
        }
        h.put(PARITY, utf8(Double.toString(served.parity())));
        return h;
    }

    /** Reads a record back; {@code header} gives a header's bytes (null when absent). */
    static Served read(java.util.function.Function<String, byte[]> header, byte[] onnx) throws Unreadable {
        try {
            byte[] version = header.apply(VERSION);
            byte[] spec = header.apply(SPEC);
            if (version == null || spec == null || onnx == null || onnx.length == 0) {
                throw new Unreadable("not a served model version (no " + (version == null ? VERSION
                        : spec == null ? SPEC : "ONNX value") + ")");
            }
            byte[] validation = header.apply(VALIDATION);
            byte[] parity = header.apply(PARITY);
            return new Served(new String(version, StandardCharsets.UTF_8),
                    Long.parseLong(new String(header.apply(UPDATES), StandardCharsets.UTF_8)),
                    dev.streamtrain.core.model.ModelSnapshotFiles.spec(Events.mapper().readTree(spec)),
                    validation == null ? null : Events.mapper().readValue(validation, ValidationMetrics.class),
                    parity == null ? Double.NaN : Double.parseDouble(new String(parity, StandardCharsets.UTF_8)),
                    onnx);
        } catch (IOException | RuntimeException e) {
            throw new Unreadable("a served model version whose headers cannot be read: "
                    + dev.streamtrain.core.events.Failures.describe(e));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
