package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the metric stream on the event bus and publishes every rule's alert on {@link Addresses#ALERTS} (the app
 * forwards that address to the {@code <job>.alerts} Kafka topic) and in the log. Never touches the model.
 */
public final class MonitorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorVerticle.class);
    private final List<MetricRule> rules;

    public MonitorVerticle(List<MetricRule> rules) {
        this.rules = List.copyOf(rules);
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        var bus = vertx.eventBus();
        var step = bus.<StepMetrics>consumer(Addresses.STEP_METRICS, m -> apply(r -> r.onStep(m.body())));
        var validation = bus.<ValidationMetrics>consumer(Addresses.VALIDATION_METRICS,
                m -> apply(r -> r.onValidation(m.body())));
        return Future.all(step.completion(), validation.completion());
    }

    private void apply(Function<MetricRule, Optional<Alert>> call) {
        for (MetricRule rule : rules) {
            call.apply(rule).ifPresent(alert -> {
                LOG.warn("ALERT [{}] {}: {}", alert.severity(), alert.kind(), alert.message());
                vertx.eventBus().publish(Addresses.ALERTS, alert);
            });
        }
    }
}
