package dev.streamtrain.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/**
 * One Micrometer registry per process, exposed at {@code GET /metrics}: StreamTrain's own meters
 * ({@code dev.streamtrain.monitor.TrainingMeters}, deploy's export timer) and Vert.x's (vertx-micrometer-metrics:
 * HTTP server requests by route, method and status — {@code /v1/predict} latency as a histogram —, event-bus
 * messages by address, worker pools). Labels are bounded: the route, never the raw path.
 */
final class Observability {
    private Observability() {
    }

    /** A Prometheus registry whose HTTP response times are histograms (for {@code histogram_quantile}). */
    static PrometheusMeterRegistry registry() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getName().startsWith("vertx.http.server.response.time")
                        ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
                        : config;
            }
        });
        return registry;
    }

    /** A Vert.x that reports its HTTP server, event bus and pools to {@code registry}. */
    static Vertx vertx(PrometheusMeterRegistry registry) {
        return Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        // vertx-micrometer keeps its backends in a static map by name: a name of its own per
                        // Vert.x, so a second one in the JVM (tests, bench rounds) never reports into the first's
                        .setRegistryName("streamtrain-" + java.util.UUID.randomUUID())
                        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE,
                                Label.EB_ADDRESS, Label.POOL_TYPE, Label.POOL_NAME))))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }
}
