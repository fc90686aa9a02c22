package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Alert;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertThrottleTest {
    private static Alert finding(String kind, long update) {
        return new Alert("j", kind, "warning", "m", update, 1.0, 0);
    }

    @Test
    void oneAlertPerKindPerWindowAndTheNextCarriesTheFoldedRepeats() {
        TestClock clock = new TestClock(0);
        AlertThrottle throttle = new AlertThrottle(60_000, clock);
        Optional<Alert> first = throttle.offer(finding("loss_spike", 1));
        assertEquals(1, first.orElseThrow().repeats());
        clock.advance(10_000);
        assertTrue(throttle.offer(finding("loss_spike", 2)).isEmpty());
        clock.advance(10_000);
        assertTrue(throttle.offer(finding("loss_spike", 3)).isEmpty());
        assertEquals(2, throttle.pending("loss_spike"));
        assertEquals(1, throttle.offer(finding("divergence", 3)).orElseThrow().repeats(), "kinds are separate");
        clock.advance(40_000);
        Alert next = throttle.offer(finding("loss_spike", 4)).orElseThrow();
        assertEquals(3, next.repeats(), "two folded plus itself");
        assertEquals(4, next.update(), "the newest finding is the one published");
        assertEquals(0, throttle.pending("loss_spike"));
        clock.advance(59_999);
        assertTrue(throttle.offer(finding("loss_spike", 5)).isEmpty(), "the window restarts at each published alert");
    }

    @Test
    void zeroMeansEveryFindingIsPublished() {
        AlertThrottle throttle = new AlertThrottle(0, new TestClock(0));
        for (int i = 0; i < 5; i++) {
            assertEquals(1, throttle.offer(finding("loss_spike", i)).orElseThrow().repeats());
        }
    }
}
