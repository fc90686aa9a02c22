package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HoldOutTest {
    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSameKeyGetsTheSameAnswerEveryTime() {
        HoldOut a = new HoldOut(0.2);
        HoldOut b = new HoldOut(0.2); // as after a restart: a new instance, nothing shared
        for (int i = 0; i < 2000; i++) {
            byte[] k = key("user-" + i);
            assertEquals(a.holdsOut(k), b.holdsOut(k.clone()), "key user-" + i);
            assertEquals(a.holdsOut(k), HoldOut.holdsOut(k, 0.2), "key user-" + i);
        }
    }

    @Test
    void theBucketIsKafkasMurmur2SoOtherMachinesAndProducersAgree() {
        // murmur2 values published in Kafka's own tests ("21" -> -973932308, "foobar" -> -790332482): a change of
        // hash (e.g. to String.hashCode) would move keys between training and hold-out on upgrade
        assertEquals((-973932308 & 0x7fffffff) % 1_000_000, HoldOut.bucket(key("21")));
        assertEquals((-790332482 & 0x7fffffff) % 1_000_000, HoldOut.bucket(key("foobar")));
        int foobar = HoldOut.bucket(key("foobar")); // 151166
        assertFalse(HoldOut.holdsOut(key("foobar"), foobar / 1e6), "bucket == threshold is not below it");
        assertTrue(HoldOut.holdsOut(key("foobar"), (foobar + 1) / 1e6), "one bucket more holds it out");
    }

    @Test
    void recordsWithoutAKeyAreNeverHeldOut() {
        assertFalse(new HoldOut(0.5).holdsOut(null));
        assertFalse(HoldOut.holdsOut(null, 0.5));
        assertEquals(HoldOut.bucket(new byte[0]) < 500_000, new HoldOut(0.5).holdsOut(new byte[0]),
                "an empty key is hashed like any key");
    }

    @Test
    void aboutTheFractionOfDistinctKeysIsHeldOut() {
        HoldOut h = new HoldOut(0.2);
        int held = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            if (h.holdsOut(key("customer-" + i))) {
                held++;
            }
        }
        double share = held / (double) n;
        assertTrue(Math.abs(share - 0.2) <= 0.015, "held out " + share + " of the keys, wanted 0.2 +- 0.015");
    }

    @Test
    void refusesFractionsOutsideTheConfiguredRange() {
        assertThrows(IllegalArgumentException.class, () -> new HoldOut(0));
        assertThrows(IllegalArgumentException.class, () -> new HoldOut(0.51));
        assertThrows(IllegalArgumentException.class, () -> new HoldOut(Double.NaN));
    }
}
