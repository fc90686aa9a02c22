package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.ValidationMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TrainingMetersTest {
    /** One sample line of the Prometheus text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Test
    void exposesTheEventsAsPrometheusMetricsThatParse() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Events.registerCodecs(vertx);
            var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            vertx.deployVerticle(new TrainingMeters(registry, "a\"b")).await(10, TimeUnit.SECONDS);
            var bus = vertx.eventBus();
            bus.publish(Addresses.STEP_METRICS, new StepMetricsBatch(List.of(
                    new StepMetrics("a\"b", 40, 1280, 0.25, 0.01, 0.9, Double.NaN, 5000, 0),
                    new StepMetrics("a\"b", 41, 1312, 0.5, 0.01, 0.9, 2.0, 5000, 0)))); // the newest counts
            bus.publish(Addresses.VALIDATION_METRICS, new ValidationMetrics("a\"b", 41, 1312, 10, 0.3, 0.95, 0));
            bus.publish(Addresses.INGEST_METRICS, new IngestMetrics("a\"b", List.of("t", "u"), 90, 9000, 12.5, 1250, 3,
                    true, 4.5, Map.of("t-0", 7L, "t-1", 0L), Map.of("undecodable", 2L), Map.of("csv_header", 1L),
                    Map.of("t", 30L, "u", 10L), 0));
            bus.publish(Addresses.ALERTS, new Alert("a\"b", "non_finite_loss", "critical", "m", 1, Double.NaN,
                    Map.of(), List.of(), 3, 0));
            bus.publish(Addresses.CHECKPOINT_SAVED, new CheckpointSaved("a\"b", 41, "/c", List.of(), 250));
            bus.publish(Addresses.CHECKPOINT_SAVED, new CheckpointSaved("a\"b", 41, "/c", List.of())); // no write
            bus.publish(Addresses.STEP_METRICS, new StepMetricsBatch(List.of( // a rollback: the position goes back
                    new StepMetrics("a\"b", 31, 992, 0.4, 0.005, 0.9, 1.0, 5000, 0),
                    new StepMetrics("a\"b", 32, 1024, 0.4, 0.005, 0.9, 1.0, 5000, 0))));
            bus.publish(Addresses.INGEST_METRICS, new IngestMetrics("a\"b", List.of("t"), 95, 9500, 12.5, 1250, 0,
                    false, 4.5, Map.of("t-0", 2L), Map.of("undecodable", 5L), Map.of("csv_header", 1L),
                    Map.of("t", 30L, "u", 10L), 0));
            Map<String, Double> samples = Map.of();
            for (int attempt = 0; attempt < 100 && !samples.containsKey(
                    "streamtrain_ingest_dead_lettered_total{job=a\"b,reason=undecodable}=5.0"); attempt++) {
                samples = parse(bus.<String>request(Addresses.PROMETHEUS_SCRAPE, "x").await(10, TimeUnit.SECONDS)
                        .body());
                samples = keyed(samples);
            }
            String job = "job=a\"b";
            for (String expected : List.of(
                    "streamtrain_updates_total{" + job + "}=43.0", // 41, then two more after the rollback
                    "streamtrain_samples_total{" + job + "}=1344.0", // 1312, then 32 (the first after it: none)
                    "streamtrain_update{" + job + "}=32.0",
                    "streamtrain_grad_norm{" + job + "}=1.0", // the newest update's
                    "streamtrain_train_loss{" + job + "}=0.4",
                    "streamtrain_validation_accuracy{" + job + "}=0.95",
                    "streamtrain_ingest_lag_records{" + job + ",partition=t-0}=2.0",
                    "streamtrain_ingest_paused{" + job + "}=0.0",
                    "streamtrain_ingest_bytes_total{" + job + "}=9500.0",
                    "streamtrain_ingest_dead_lettered_total{" + job + ",reason=undecodable}=5.0",
                    "streamtrain_ingest_skipped_total{" + job + ",reason=csv_header}=1.0",
                    "streamtrain_alerts_total{" + job + ",kind=non_finite_loss}=3.0",
                    "streamtrain_checkpoint_write_seconds_count{" + job + "}=1.0",
                    "streamtrain_checkpoint_write_seconds_sum{" + job + "}=0.25")) {
                assertTrue(samples.containsKey(expected), "missing " + expected + " in " + samples.keySet());
            }
            assertTrue(samples.keySet().stream().noneMatch(k -> k.contains("partition=t-1")),
                    "a partition no longer assigned has no lag gauge: " + samples.keySet());
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** Parses the text format strictly: every line is a comment (HELP/TYPE) or a sample, or the test fails. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.equals("# EOF")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample line: " + line);
            StringBuilder key = new StringBuilder(m.group(1)).append('{');
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                String sep = "";
                while (l.find()) {
                    key.append(sep).append(l.group(1)).append('=').append(l.group(2).replace("\\\"", "\"")
                            .replace("\\\\", "\\"));
                    sep = ",";
                }
            }
            out.put(key.append('}').toString(), Double.parseDouble(m.group(4).replace("+Inf", "Infinity")));
        }
        return out;
    }

    /** name{labels}=value, so one contains() checks a sample and its value. */
    private static Map<String, Double> keyed(Map<String, Double> samples) {
        Map<String, Double> out = new HashMap<>();
        samples.forEach((k, v) -> out.put(k + "=" + v, v));
        assertEquals(samples.size(), out.size());
        return out;
    }
}
