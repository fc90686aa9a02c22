package dev.streamtrain.deploy;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import java.util.List;

/**
 * The rows an export is verified on: the validation rows the job holds now, or, while it holds none (a
 * prequential-only job, or before the first validation record), {@value #SEEDED_ROWS} seeded standard-normal rows:
 * parity compares engines on the same inputs, so any inputs serve.
 */
final class VerificationRows {
    /** Rows of seeded random inputs used when there are no validation rows. */
    static final int SEEDED_ROWS = 256;

    /**
     * @param x row-major features
     * @param count rows
     * @param batches the validation batches they came from, with their labels (empty: seeded rows)
     */
    record Rows(float[] x, int count, List<MiniBatch> batches) {
    }

    private final ValidationSet validation;

    VerificationRows(ValidationSet validation) {
        this.validation = validation;
    }

    /** The rows for one verification, {@code features} wide. */
    Rows take(int features) {
        List<MiniBatch> batches = validation.snapshot();
        if (batches.isEmpty()) {
            float[] x = new float[SEEDED_ROWS * features];
            java.util.Random rnd = new java.util.Random(42);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            return new Rows(x, SEEDED_ROWS, List.of());
        }
        return of(batches, features);
    }

    /** The rows of {@code batches}, {@code features} wide, in one row-major array. */
    static Rows of(List<MiniBatch> batches, int features) {
        int rows = batches.stream().mapToInt(MiniBatch::rows).sum();
        float[] x = new float[rows * features];
        int at = 0;
        for (MiniBatch b : batches) {
            System.arraycopy(b.x(), 0, x, at, b.x().length);
            at += b.x().length;
        }
        return new Rows(x, rows, batches);
    }
}
