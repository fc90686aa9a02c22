package dev.streamtrain.ingest;

import org.apache.kafka.common.utils.Utils;

/**
 * Which training records are held out of training and only evaluated ({@code validation.sources: [holdout]}): a
 * record is held out when its key hashes into the first {@code fraction} of one million buckets, i.e. when
 * {@code (murmur2(key) & 0x7fffffff) % 1_000_000 < round(fraction * 1_000_000)}.
 *
 * <p>The hash is Kafka's own murmur2 (the one its default partitioner uses) over the raw key bytes, so the choice
 * depends on nothing but the key: the same records are held out after a restart, on another machine, and when the
 * records are re-read, and every record of one key (e.g. one user) lands on the same side. The share is resolved
 * to one part in a million.
 *
 * <p>Records without a key are never held out (they are trained): there is nothing stable to hash, and holding
 * out by offset would change with repartitioning. An empty key is a key like any other.
 */
public final class HoldOut {
    /** The reason code of held-out records, as counted in the ingest metrics' skipped records. */
    public static final String REASON = "holdout";

    private static final int BUCKETS = 1_000_000;

    private final double fraction;
    private final long threshold;

    /** @param fraction share of keys held out, in (0, 0.5] as {@code validation.holdout-fraction} allows */
    public HoldOut(double fraction) {
        if (!(fraction > 0 && fraction <= 0.5)) {
            throw new IllegalArgumentException("the hold-out fraction must be in (0, 0.5], got " + fraction);
        }
        this.fraction = fraction;
        this.threshold = Math.round(fraction * BUCKETS);
    }

    /** The share of keys held out. */
    public double fraction() {
        return fraction;
    }

    /** True when a record with this key is held out; never for a null key. */
    public boolean holdsOut(byte[] key) {
        return key != null && bucket(key) < threshold;
    }

    /** The same decision without an instance. */
    public static boolean holdsOut(byte[] key, double fraction) {
        return new HoldOut(fraction).holdsOut(key);
    }

    /** The key's bucket in [0, 1_000_000). */
    static int bucket(byte[] key) {
        return (Utils.murmur2(key) & 0x7fffffff) % BUCKETS;
    }
}
