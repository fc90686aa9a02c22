package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MonitorVerticleTest {
    private static final Clock FIXED = Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC);

    @Test
    void raisesAnAlertForEachNonFiniteLossAndNoneForFiniteOnes() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            LinkedBlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
            vertx.eventBus().<Alert>consumer(Addresses.ALERTS, m -> alerts.add(m.body())).completion()
                    .await(10, TimeUnit.SECONDS);
            vertx.deployVerticle(new MonitorVerticle(List.of(new NonFiniteLossRule(FIXED)))).await(10, TimeUnit.SECONDS);

            var bus = vertx.eventBus();
            bus.publish(Addresses.STEP_METRICS, new StepMetrics("j", 1, 32, 0.7, 0.1, 0.9, Double.NaN, 100, 0));
            bus.publish(Addresses.STEP_METRICS, new StepMetrics("j", 2, 64, Double.NaN, 0.1, 0.9, Double.NaN, 100, 0));
            bus.publish(Addresses.VALIDATION_METRICS, new ValidationMetrics("j", 3, 96, 10, 0.5, 0.9, 0));
            bus.publish(Addresses.VALIDATION_METRICS,
                    new ValidationMetrics("j", 4, 128, 10, Double.POSITIVE_INFINITY, 0.1, 0));

            Alert first = alerts.poll(10, TimeUnit.SECONDS);
            assertEquals("non_finite_loss", first.kind());
            assertEquals(2, first.update(), "the finite loss at update 1 raised nothing");
            assertEquals("critical", first.severity());
            assertEquals(1234, first.timeMillis());
            assertTrue(first.message().contains("training loss is NaN"), first.message());
            Alert second = alerts.poll(10, TimeUnit.SECONDS);
            assertEquals(4, second.update(), "the finite validation loss at update 3 raised nothing");
            assertTrue(second.message().contains("validation loss is Infinity"), second.message());
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
