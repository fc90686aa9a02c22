package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {
    @Test
    void theSpeedShownIsSamplesOverTimeSinceTheLastLineNotTheTrainersRecentRate() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            vertx.deployVerticle(new TrainingProgress(new ConsoleProgress(new PrintStream(out, true,
                    StandardCharsets.UTF_8), false), 100)).await(10, TimeUnit.SECONDS);
            var bus = vertx.eventBus();
            // the trainer's own recent rate says 50,000/s; in fact 3,200 samples took 2 s: 1,600/s
            bus.publish(Addresses.STEP_METRICS,
                    StepMetricsBatch.of(new StepMetrics("j", 1, 32, 1.0, 0.1, 0.9, 1.0, 50_000, 10_000)));
            bus.publish(Addresses.VALIDATION_METRICS, new ValidationMetrics("j", 1, 32, 10, 1.0, 0.5, 10_000));
            bus.publish(Addresses.STEP_METRICS, StepMetricsBatch.of(new StepMetrics("j", 100, 3_232, 1.0, 0.1, 0.9,
                    1.0, 50_000, 12_000)));
            bus.publish(Addresses.VALIDATION_METRICS, new ValidationMetrics("j", 100, 3_232, 10, 1.0, 0.5, 12_000));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!out.toString(StandardCharsets.UTF_8).contains("update 100") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            String printed = out.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("update 100 | 1,600 samples/s"), printed);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
