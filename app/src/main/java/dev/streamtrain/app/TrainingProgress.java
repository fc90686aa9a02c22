package dev.streamtrain.app;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The training status line: updates (with a bar when the total is known), samples/s, loss, validation accuracy and
 * learning rate, refreshed from the metric events.
 */
public final class TrainingProgress extends VerticleBase {
    private final ConsoleProgress console;
    private final long expectedUpdates;
    private StepMetrics lastStep;
    private ValidationMetrics lastValidation;
    private static final long REFRESH_NANOS = 100_000_000L;
    private long lastRender = System.nanoTime() - REFRESH_NANOS;

    /** @param expectedUpdates total updates when known (for the bar), else 0 */
    public TrainingProgress(ConsoleProgress console, long expectedUpdates) {
        this.console = console;
        this.expectedUpdates = expectedUpdates;
    }

    /** The step the speed shown was last measured at, and that speed (samples per second). */
    private StepMetrics shown;
    private double rate;

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        var step = vertx.eventBus().<StepMetricsBatch>consumer(Addresses.STEP_METRICS, m -> {
            lastStep = m.body().last();
            long now = System.nanoTime();
            if (now - lastRender >= REFRESH_NANOS) { // steps come every few ms: refresh the line ten times a second
                lastRender = now;
                render(false);
            }
        });
        var validation = vertx.eventBus().<ValidationMetrics>consumer(Addresses.VALIDATION_METRICS, m -> {
            lastValidation = m.body();
            render(true);
        });
        return Future.all(step.completion(), validation.completion());
    }

    private void render(boolean durable) {
        if (lastStep == null) {
            return;
        }
        if (shown == null || lastStep.timeMillis() - shown.timeMillis() >= 100) { // samples over time since the last
            rate = shown == null ? lastStep.samplesPerSecond() // line: what the run really did, pauses included
                    : (lastStep.samples() - shown.samples()) * 1000.0 / (lastStep.timeMillis() - shown.timeMillis());
            shown = lastStep;
        }
        String bar = ConsoleProgress.bar(lastStep.update(), expectedUpdates);
        String val = lastValidation == null ? "-" : String.format("%.4f", lastValidation.accuracy())
                + (lastValidation.source().equals("topic") ? "" : " (" + lastValidation.source() + ")");
        console.update(String.format("training %s update %,d | %,.0f samples/s | loss %.4f | val acc %s | lr %.5f"
                + " | mom %.3f", bar, lastStep.update(), rate, lastStep.loss(), val,
                lastStep.lr(), lastStep.momentum()), durable);
    }

    @Override
    public Future<?> stop() {
        console.finish();
        return Future.succeededFuture();
    }
}
