package dev.streamtrain.app;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.RecordFormatSettings;
import dev.streamtrain.ingest.ExampleDecoders;
import dev.streamtrain.ingest.RecordValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How fast ingest decodes and validates each record format: the digits rows encoded as safetensors and npz
 * minibatches of 32 and as JSON and CSV examples, each checked by the same {@link RecordValidator} ingest uses, for a
 * fixed time after every format was warmed up.
 */
final class DecodeBench {
    /**
     * @param format record format
     * @param rowsPerSecond rows decoded and validated per second
     */
    record Result(RecordFormat format, double rowsPerSecond) {
    }

    private DecodeBench() {
    }

    static List<Result> run(LabeledRows rows, long millisPerFormat) {
        var expect = new RecordValidator.Expectation(rows.features(), 10, "softmax", "reject", 1e4, 1 << 24);
        Map<RecordFormat, List<byte[]>> records = new java.util.EnumMap<>(RecordFormat.class);
        Map<RecordFormat, RecordValidator> validators = new java.util.EnumMap<>(RecordFormat.class);
        for (RecordFormat format : RecordFormat.values()) {
            int step = format.minibatches() ? 32 : 1;
            List<byte[]> values = new ArrayList<>();
            for (int from = 0; from < rows.size(); from += step) {
                values.add(RecordEncoder.encode(rows, from, Math.min(rows.size(), from + step), format));
            }
            records.put(format, values);
            var settings = RecordFormatSettings.of(format.name().toLowerCase(java.util.Locale.ROOT));
            validators.put(format, new RecordValidator(ExampleDecoders.forFormat(settings), expect));
        }
        // every format through the JIT first (the shared validation code too), so the baseline is not the coldest
        for (int pass = 0; pass < 20; pass++) {
            records.forEach((format, values) -> pass(validators.get(format), values));
        }
        List<Result> out = new ArrayList<>();
        for (RecordFormat format : RecordFormat.values()) {
            long rowsDone = 0;
            long start = System.nanoTime();
            long deadline = start + millisPerFormat * 1_000_000;
            while (System.nanoTime() < deadline) {
                rowsDone += pass(validators.get(format), records.get(format));
            }
            out.add(new Result(format, rowsDone / ((System.nanoTime() - start) / 1e9)));
        }
        return out;
    }

    private static long pass(RecordValidator validator, List<byte[]> records) {
        OffsetRange source = OffsetRange.single("bench", 0, 0);
        long rows = 0;
        for (byte[] r : records) {
            if (validator.check(r, source) instanceof RecordValidator.Accepted a) {
                rows += a.batch().rows();
            } else {
                throw new IllegalStateException("the benchmark's own record was rejected");
            }
        }
        return rows;
    }
}
