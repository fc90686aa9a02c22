package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.core.wire.WireFormatException;

/**
 * Checks every record before training: non-empty and within the size limit, decodable, features as wide as the
 * model's input, labels fitting the model's head (class ids in range, or float targets as wide as its outputs), and
 * finite features and targets (non-finite features: reject, zero, or clip, as configured). Returns the minibatch
 * to train on, or the reason to dead-letter the record.
 */
public final class RecordValidator {
    private final ExampleDecoders.Decoder decoder;
    private final Expectation expect;

    /**
     * What the model needs.
     *
     * @param features model inputs
     * @param outputs model outputs (classes, or targets)
     * @param head softmax, sigmoid or identity
     * @param nonFinite reject, zero or clip
     * @param clipValue clip bound
     * @param maxRecordBytes size limit of a record value
     */
    public record Expectation(int features, int outputs, String head, String nonFinite, double clipValue,
            int maxRecordBytes) {
    }

    /** The outcome of checking one record. */
    public sealed interface Outcome permits Accepted, Rejected, Skipped {
    }

    /** A record to train on (possibly with non-finite features zeroed or clipped). */
    public record Accepted(MiniBatch batch) implements Outcome {
    }

    /**
     * A record for the dead-letter topic.
     *
     * @param reason short code, counted per reason
     * @param message what exactly is wrong
     */
    public record Rejected(String reason, String message) implements Outcome {
    }

    /**
     * A record that is not data (a CSV header line): not trained, not dead-lettered, counted as handled.
     *
     * @param reason short code, counted per reason
     * @param message what it was
     */
    public record Skipped(String reason, String message) implements Outcome {
    }

    /** Validates safetensors minibatch records. */
    public RecordValidator(MiniBatchCodec codec, Expectation expect) {
        this(ExampleDecoders.minibatches(codec), expect);
    }

    /** Validates records of any format its decoder reads (minibatches, or one-row JSON/CSV examples). */
    public RecordValidator(ExampleDecoders.Decoder decoder, Expectation expect) {
        this.decoder = decoder;
        this.expect = expect;
    }

    /** The message of an unexpected failure to read a record, in the product's words (no class names). */
    private static String unreadable(RuntimeException e) {
        // a fault of the reader, not of the record's words: the log keeps the detail, the dead letter says what it is
        org.slf4j.LoggerFactory.getLogger(RecordValidator.class).warn("a record could not be read", e);
        return "the record could not be read (an unexpected fault of the reader; the job's log has the details)";
    }

    /**
     * Checks one record value; never throws: an unexpected failure to read it is a rejection with reason
     * {@code unexpected} (training and validation records alike).
     */
    public Outcome check(byte[] value, OffsetRange source) {
        return check(value == null ? null : java.nio.ByteBuffer.wrap(value), source);
    }

    /**
     * As {@link #check(byte[], OffsetRange)}, for a value as the training reader's consumer hands it over: a view of
     * its fetch buffer, read in place where the format allows ({@link ExampleDecoders.Decoder#decode(
     * java.nio.ByteBuffer, OffsetRange)}). The buffer's position is left as it was.
     */
    public Outcome check(java.nio.ByteBuffer value, OffsetRange source) {
        try {
            return checkOrThrow(value, source);
        } catch (RuntimeException e) {
            return new Rejected("unexpected", unreadable(e));
        }
    }

    /** A value that is a whole array goes to the decoder as that array (no copy by any decoder); others as a view. */
    private MiniBatch decode(java.nio.ByteBuffer value, OffsetRange source) {
        if (value.hasArray() && value.arrayOffset() == 0 && value.position() == 0
                && value.remaining() == value.array().length) {
            return decoder.decode(value.array(), source);
        }
        return decoder.decode(value.duplicate(), source);
    }

    private Outcome checkOrThrow(java.nio.ByteBuffer value, OffsetRange source) {
        int size = dev.streamtrain.core.wire.Bytes.size(value);
        if (size == 0) {
            return new Rejected("empty_value", "the record has no value");
        }
        if (size > expect.maxRecordBytes()) {
            return new Rejected("too_large", size + " bytes exceed ingest.max-record-bytes "
                    + expect.maxRecordBytes());
        }
        MiniBatch b;
        try {
            b = decode(value, source);
        } catch (ExampleDecoders.NotAnExample e) {
            return new Skipped(e.reason(), e.getMessage());
        } catch (WireFormatException e) {
            return new Rejected(e.reason(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Rejected("undecodable", e.getMessage());
        }
        if (b.features() != expect.features()) {
            return new Rejected("wrong_shape", "records hold " + b.features() + " features, the model takes "
                    + expect.features());
        }
        if (!expect.head().equals("identity") && wholeTargets(b)) {
            b = asClassIds(b); // a class written 2.0 (pandas writes integer columns with NaN as floats) is class 2
        }
        Rejected labels = checkLabels(b);
        if (labels != null) {
            return labels;
        }
        return finite(expect.head().equals("identity") && !b.hasTargets() ? asTargets(b) : b);
    }

    /** One target per row, each a whole number >= 0: class ids written as decimals. */
    private static boolean wholeTargets(MiniBatch b) {
        if (!b.hasTargets() || b.targetWidth() != 1) {
            return false;
        }
        for (float t : b.targets()) {
            if (!(t >= 0 && t == Math.rint(t) && t < Integer.MAX_VALUE)) {
                return false;
            }
        }
        return true;
    }

    private static MiniBatch asClassIds(MiniBatch b) {
        long[] y = new long[b.rows()];
        for (int i = 0; i < y.length; i++) {
            y[i] = (long) b.targets()[i];
        }
        return new MiniBatch(b.rows(), b.features(), b.x(), y, b.sources()).producedAt(b.producedAtMillis());
    }

    /** Integer labels of a one-output regression as float targets ({@code "y": 3} means 3.0). */
    private static MiniBatch asTargets(MiniBatch b) {
        float[] t = new float[b.rows()];
        for (int i = 0; i < t.length; i++) {
            t[i] = b.y()[i];
        }
        return MiniBatch.withTargets(b.rows(), b.features(), b.x(), t, 1, b.sources()).producedAt(b.producedAtMillis());
    }

    private Rejected checkLabels(MiniBatch b) {
        boolean classIds = !b.hasTargets();
        if (expect.head().equals("identity") && classIds && expect.outputs() == 1) {
            return null; // an integer target of a one-output regression: a number like any other (see asTargets)
        }
        if (expect.head().equals("identity") && classIds) {
            return new Rejected("wrong_labels", "a regression model needs float targets, the record holds class ids");
        }
        if (classIds) {
            long limit = expect.head().equals("softmax") ? expect.outputs() : 2;
            for (long y : b.y()) {
                if (y < 0 || y >= limit) {
                    return new Rejected("label_out_of_range", "label " + y + " is outside [0, " + limit + ")");
                }
            }
            if (expect.head().equals("sigmoid") && expect.outputs() != 1) {
                return new Rejected("wrong_labels", "class ids fit a single sigmoid output; the model has "
                        + expect.outputs());
            }
            return null;
        }
        for (float t : b.targets()) { // a NaN label is named as such, whatever the head expects
            if (!Float.isFinite(t)) {
                return new Rejected("non_finite_targets", "a label or target is " + t);
            }
        }
        if (expect.head().equals("softmax")) {
            return new Rejected("wrong_labels", "a softmax classifier needs class ids, the record holds float targets");
        }
        if (b.targetWidth() != expect.outputs()) {
            return new Rejected("wrong_shape", "records hold " + b.targetWidth() + " targets per row, the model has "
                    + expect.outputs() + " outputs");
        }
        return null;
    }

    private Outcome finite(MiniBatch b) {
        float[] x = b.x();
        int bad = 0;
        for (float v : x) {
            if (!Float.isFinite(v)) {
                bad++;
            }
        }
        if (bad == 0) {
            return new Accepted(b);
        }
        if (expect.nonFinite().equals("reject")) {
            return new Rejected("non_finite_features", bad + " feature value(s) are NaN or infinite");
        }
        float[] fixed = x.clone();
        float clip = (float) expect.clipValue();
        for (int i = 0; i < fixed.length; i++) {
            if (Float.isNaN(fixed[i])) {
                fixed[i] = 0;
            } else if (Float.isInfinite(fixed[i])) {
                fixed[i] = expect.nonFinite().equals("zero") ? 0 : Math.copySign(clip, fixed[i]);
            } else if (expect.nonFinite().equals("clip")) {
                fixed[i] = Math.max(-clip, Math.min(clip, fixed[i]));
            }
        }
        return new Accepted(new MiniBatch(b.rows(), b.features(), fixed, b.y(), b.sources(), b.targets(),
                b.targetWidth(), b.producedAtMillis()));
    }
}
