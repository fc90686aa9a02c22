package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the latest training, validation and ingest metrics from the event bus and renders them in Prometheus's text
 * exposition format on request ({@link Addresses#PROMETHEUS_SCRAPE}); the model server exposes that as
 * {@code GET /metrics}. Names follow Prometheus conventions ({@code streamtrain_*}, {@code _total} for counters).
 */
public final class PrometheusVerticle extends VerticleBase {
    private StepMetrics step;
    private ValidationMetrics validation;
    private IngestMetrics ingest;
    private final Map<String, Long> alerts = new TreeMap<>();

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        var bus = vertx.eventBus();
        return Future.all(
                bus.<dev.streamtrain.core.events.StepMetricsBatch>consumer(Addresses.STEP_METRICS,
                        m -> step = m.body().last()).completion(),
                bus.<ValidationMetrics>consumer(Addresses.VALIDATION_METRICS, m -> validation = m.body()).completion(),
                bus.<IngestMetrics>consumer(Addresses.INGEST_METRICS, m -> ingest = m.body()).completion(),
                bus.<Alert>consumer(Addresses.ALERTS, m -> alerts.merge(m.body().kind(), 1L, Long::sum)).completion(),
                bus.consumer(Addresses.PROMETHEUS_SCRAPE, m -> m.reply(render())).completion());
    }

    /** The current metrics in Prometheus text format (version 0.0.4). */
    String render() {
        StringBuilder out = new StringBuilder();
        if (step != null) {
            String job = label("job", step.job());
            gauge(out, "streamtrain_updates_total", "counter", "Optimizer updates.", job, step.update());
            gauge(out, "streamtrain_samples_total", "counter", "Examples trained.", job, step.samples());
            gauge(out, "streamtrain_train_loss", "gauge", "Training loss of the last logged update.", job, step.loss());
            gauge(out, "streamtrain_learning_rate", "gauge", "Learning rate of the last logged update.", job, step.lr());
            gauge(out, "streamtrain_momentum", "gauge", "Momentum or beta1 of the last logged update.", job,
                    step.momentum());
            gauge(out, "streamtrain_grad_norm", "gauge", "Gradient norm before clipping (NaN when not clipping).", job,
                    step.gradNorm());
            gauge(out, "streamtrain_samples_per_second", "gauge", "Training throughput.", job, step.samplesPerSecond());
        }
        if (validation != null) {
            String job = label("job", validation.job());
            gauge(out, "streamtrain_validation_loss", "gauge", "Last validation loss.", job, validation.loss());
            gauge(out, "streamtrain_validation_accuracy", "gauge", "Last validation accuracy.", job,
                    validation.accuracy());
        }
        if (ingest != null) {
            String job = label("job", ingest.job());
            gauge(out, "streamtrain_ingest_records_total", "counter", "Records read.", job, ingest.records());
            gauge(out, "streamtrain_ingest_bytes_total", "counter", "Record bytes read.", job, ingest.bytes());
            gauge(out, "streamtrain_ingest_records_per_second", "gauge", "Read rate.", job, ingest.recordsPerSecond());
            gauge(out, "streamtrain_ingest_bytes_per_second", "gauge", "Byte rate.", job, ingest.bytesPerSecond());
            gauge(out, "streamtrain_ingest_queue_depth", "gauge", "Minibatches waiting for the trainer.", job,
                    ingest.queueDepth());
            gauge(out, "streamtrain_ingest_paused", "gauge", "1 while back-pressure pauses consumption.", job,
                    ingest.paused() ? 1 : 0);
            gauge(out, "streamtrain_ingest_decode_microseconds", "gauge", "Mean decode and validation time.", job,
                    ingest.decodeMicros());
            perLabel(out, "streamtrain_ingest_lag", "gauge", "End offset minus next offset, per partition.", job,
                    "partition", ingest.lag());
            perLabel(out, "streamtrain_ingest_dead_lettered_total", "counter", "Records dead-lettered, by reason.", job,
                    "reason", ingest.deadLettered());
            perLabel(out, "streamtrain_ingest_skipped_total", "counter", "Records skipped as not data, by reason.", job,
                    "reason", ingest.skipped());
            perLabel(out, "streamtrain_ingest_minibatches_total", "counter",
                    "Minibatches handed to the trainer, by topic.", job, "topic", ingest.minibatchesByTopic());
        }
        if (!alerts.isEmpty()) {
            family(out, "streamtrain_alerts_total", "counter", "Alerts raised, by kind.");
            alerts.forEach((kind, n) -> sample(out, "streamtrain_alerts_total", label("kind", kind), n));
        }
        return out.toString();
    }

    /** One family with a sample per map entry, labelled {@code labelName}, in key order. */
    private static void perLabel(StringBuilder out, String name, String type, String help, String job,
            String labelName, Map<String, Long> values) {
        family(out, name, type, help);
        new TreeMap<>(values).forEach((k, v) -> sample(out, name, job + "," + label(labelName, k), v));
    }

    private static void gauge(StringBuilder out, String name, String type, String help, String labels, double value) {
        family(out, name, type, help);
        sample(out, name, labels, value);
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append('{').append(labels).append("} ").append(format(value)).append('\n');
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String label(String name, String value) {
        return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
