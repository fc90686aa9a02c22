package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacerTest {
    @Test
    void theNthPermitIsDueNOverRateSecondsAfterTheFirst() {
        long[] clock = {1_000};
        List<Long> handedOut = new ArrayList<>();
        Pacer pacer = new Pacer(4, () -> clock[0], nanos -> clock[0] += nanos);
        for (int i = 0; i < 9; i++) {
            pacer.acquire();
            handedOut.add(clock[0] - 1_000);
        }
        for (int i = 0; i < 9; i++) {
            assertEquals(i * 250_000_000L, handedOut.get(i), "permit " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> new Pacer(0, () -> 0, n -> { }));
    }
}
