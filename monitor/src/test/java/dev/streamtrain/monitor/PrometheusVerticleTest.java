package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Addresses;
import java.util.List;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusVerticleTest {
    @Test
    void rendersTheLatestMetricsInPrometheusTextFormat() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            vertx.deployVerticle(new PrometheusVerticle()).await(10, TimeUnit.SECONDS);
            var bus = vertx.eventBus();
            bus.publish(Addresses.STEP_METRICS, new StepMetricsBatch(List.of(
                    new StepMetrics("a\"b", 40, 1280, 0.25, 0.01, 0.9, Double.NaN, 5000, 0),
                    new StepMetrics("a\"b", 41, 1312, 0.5, 0.01, 0.9, 2.0, 5000, 0)))); // the newest counts
            bus.publish(Addresses.VALIDATION_METRICS, new ValidationMetrics("a\"b", 41, 1312, 10, 0.3, 0.95, 0));
            bus.publish(Addresses.INGEST_METRICS, new IngestMetrics("a\"b", java.util.List.of("t", "u"), 90, 9000, 12.5, 1250, 3,
                    true, 4.5, Map.of("t-0", 7L, "t-1", 0L), Map.of("undecodable", 2L), Map.of("csv_header", 1L),
                    Map.of("t", 30L, "u", 10L), 0));
            bus.publish(Addresses.ALERTS, new Alert("a\"b", "non_finite_loss", "critical", "m", 1, Double.NaN, 0));
            String text = "";
            for (int attempt = 0; attempt < 100 && !text.contains("streamtrain_alerts_total"); attempt++) {
                text = bus.<String>request(Addresses.PROMETHEUS_SCRAPE, "x").await(10, TimeUnit.SECONDS).body();
            }
            String job = "job=\"a\\\"b\"";
            for (String line : new String[] {
                "# TYPE streamtrain_updates_total counter",
                "streamtrain_updates_total{" + job + "} 41",
                "streamtrain_grad_norm{" + job + "} 2",
                "streamtrain_train_loss{" + job + "} 0.5",
                "streamtrain_validation_accuracy{" + job + "} 0.95",
                "streamtrain_ingest_lag{" + job + ",partition=\"t-0\"} 7",
                "streamtrain_ingest_lag{" + job + ",partition=\"t-1\"} 0",
                "streamtrain_ingest_paused{" + job + "} 1",
                "streamtrain_ingest_dead_lettered_total{" + job + ",reason=\"undecodable\"} 2",
                "streamtrain_ingest_skipped_total{" + job + ",reason=\"csv_header\"} 1",
                "streamtrain_ingest_minibatches_total{" + job + ",topic=\"u\"} 10",
                "streamtrain_alerts_total{kind=\"non_finite_loss\"} 1"}) {
                assertTrue(text.contains(line + "\n"), "missing '" + line + "' in:\n" + text);
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
