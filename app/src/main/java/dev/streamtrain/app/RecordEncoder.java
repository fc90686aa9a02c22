package dev.streamtrain.app;

import dev.streamtrain.core.wire.MiniBatchCodec;
import java.nio.charset.StandardCharsets;

/** Encodes rows as record values in each {@link RecordFormat} (the producer's and the benchmark's one encoder). */
final class RecordEncoder {
    private static final MiniBatchCodec CODEC = MiniBatchCodec.standard();

    private RecordEncoder() {
    }

    /** Rows {@code [from, to)} as one record value; example formats take the row at {@code from}. */
    static byte[] encode(LabeledRows rows, int from, int to, RecordFormat format) {
        return switch (format) {
            case SAFETENSORS -> CODEC.encode(to - from, rows.features(), rows.flatFeatures(from, to),
                    rows.labels(from, to));
            case NPZ -> CODEC.encodeNpz(to - from, rows.features(), rows.flatFeatures(from, to),
                    rows.labels(from, to));
            case JSON -> json(rows.x().get(from), rows.y().get(from)).getBytes(StandardCharsets.UTF_8);
            case CSV -> csv(rows.x().get(from), rows.y().get(from)).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The CSV header line {@code f0,...,f<n-1>,label}. */
    static String csvHeader(int features) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < features; i++) {
            sb.append('f').append(i).append(',');
        }
        return sb.append("label").toString();
    }

    private static String json(float[] x, long y) {
        StringBuilder sb = new StringBuilder("{\"x\":[");
        for (int i = 0; i < x.length; i++) {
            sb.append(i == 0 ? "" : ",").append(x[i]);
        }
        return sb.append("],\"y\":").append(y).append('}').toString();
    }

    private static String csv(float[] x, long y) {
        StringBuilder sb = new StringBuilder();
        for (float v : x) {
            sb.append(v).append(',');
        }
        return sb.append(y).toString();
    }
}
