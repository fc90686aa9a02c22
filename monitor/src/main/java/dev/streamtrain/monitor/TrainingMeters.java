package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.ModelPromotion;
import dev.streamtrain.core.events.ModelRolledBack;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.ValidationMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Binds the facts on the event bus to Micrometer meters and answers {@link Addresses#PROMETHEUS_SCRAPE} with the
 * registry's Prometheus text (the model server's {@code GET /metrics}). Names follow Prometheus conventions through
 * Micrometer's naming: {@code streamtrain.updates} is exposed as {@code streamtrain_updates_total}, a timer in
 * seconds. Ingest's totals are function counters reading its latest report (they never go down); the trainer's
 * updates and examples are counted here, as work done, since its position goes back on a rollback. Labels that appear
 * while running (partitions, dead-letter reasons, alert kinds) get their meter on first sight; a partition no longer
 * assigned loses its lag gauge. Every meter carries the {@code job} tag.
 */
public final class TrainingMeters extends VerticleBase {
    private final PrometheusMeterRegistry registry;
    private final Tags job;
    private volatile StepMetrics step;
    private volatile ValidationMetrics validation;
    private volatile IngestMetrics ingest;
    private final Map<String, Long> lag = new ConcurrentHashMap<>();
    private final Map<String, Long> deadLettered = new ConcurrentHashMap<>();
    private final Map<String, Long> skipped = new ConcurrentHashMap<>();
    private Timer checkpointWrites;
    private Counter updates;
    private Counter samples;
    private final Map<String, Gauge> lagGauges = new ConcurrentHashMap<>();

    /**
     * @param registry where the meters go (the app's, shared with Vert.x's own HTTP and event-bus metrics)
     * @param job the job's name, the {@code job} tag
     */
    public TrainingMeters(PrometheusMeterRegistry registry, String job) {
        this.registry = registry;
        this.job = Tags.of("job", job);
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        bindTraining();
        bindIngest();
        checkpointWrites = Timer.builder("streamtrain.checkpoint.write").tags(job)
                .description("From copying the trainer's state to the checkpoint being durable")
                .publishPercentileHistogram().register(registry);
        var bus = vertx.eventBus();
        return Future.all(java.util.List.of(
                bus.<StepMetricsBatch>consumer(Addresses.STEP_METRICS, m -> stepped(m.body())).completion(),
                bus.<ValidationMetrics>consumer(Addresses.VALIDATION_METRICS, m -> validation = m.body()).completion(),
                bus.<IngestMetrics>consumer(Addresses.INGEST_METRICS, m -> ingested(m.body())).completion(),
                bus.<Alert>consumer(Addresses.ALERTS, m -> count("streamtrain.alerts", "Alerts raised, by kind",
                        "kind", m.body().kind(), m.body().repeats())).completion(),
                bus.<CheckpointSaved>consumer(Addresses.CHECKPOINT_SAVED, m -> {
                    if (m.body().writeMillis() >= 0) {
                        checkpointWrites.record(m.body().writeMillis(), TimeUnit.MILLISECONDS);
                    }
                }).completion(),
                bus.<LrChanged>consumer(Addresses.LR_CHANGED, m -> count("streamtrain.lr.changes",
                        "Learning-rate changes by the plateau control or an operator, by kind", "kind",
                        m.body().reason(), 1)).completion(),
                bus.<RolledBack>consumer(Addresses.ROLLED_BACK, m -> count("streamtrain.rollbacks",
                        "Trainer rollbacks to an earlier good state, by cause (an alert kind, or operator)", "cause",
                        m.body().reason().matches("[a-z_]{1,40}") ? m.body().reason() : "operator", 1)).completion(),
                bus.<ModelPromotion>consumer(Addresses.MODEL_PROMOTION, m -> count("streamtrain.model.decisions",
                        "Verified candidates promoted or rejected", "outcome",
                        m.body().promoted() ? "promoted" : "rejected", 1)).completion(),
                bus.<ModelRolledBack>consumer(Addresses.MODEL_ROLLED_BACK, m -> Counter.builder(
                        "streamtrain.model.rollbacks").description("Serving rollbacks to an earlier version")
                        .tags(job).register(registry).increment()).completion(),
                bus.<Object>consumer(Addresses.PROMETHEUS_SCRAPE, m -> m.reply(registry.scrape())).completion()));
    }

    private void bindTraining() {
        updates = Counter.builder("streamtrain.updates").description("Optimizer updates applied (a rollback's redone"
                + " ones too)").tags(job).register(registry);
        samples = Counter.builder("streamtrain.samples").description("Examples trained (a rollback's retrained ones too)")
                .tags(job).register(registry);
        gauge("streamtrain.update", "The trainer's position in updates (goes back on a rollback)", t -> t.step,
                StepMetrics::update);
        gauge("streamtrain.train.loss", "Training loss of the last update", t -> t.step, StepMetrics::loss);
        gauge("streamtrain.learning.rate", "Learning rate of the last update", t -> t.step, StepMetrics::lr);
        gauge("streamtrain.momentum", "Momentum or beta1 of the last update", t -> t.step, StepMetrics::momentum);
        gauge("streamtrain.grad.norm", "Gradient norm before clipping (NaN when not clipping)", t -> t.step,
                StepMetrics::gradNorm);
        gauge("streamtrain.samples.per.second", "Training throughput", t -> t.step, StepMetrics::samplesPerSecond);
        gauge("streamtrain.example.age.seconds", "Age of the last update's oldest example", t -> t.step,
                s -> s.ageMillis() < 0 ? Double.NaN : s.ageMillis() / 1000.0);
        gauge("streamtrain.validation.loss", "Last validation loss", t -> t.validation, ValidationMetrics::loss);
        gauge("streamtrain.validation.accuracy", "Last validation accuracy", t -> t.validation,
                ValidationMetrics::accuracy);
    }

    private void bindIngest() {
        counter("streamtrain.ingest.records", "Records read", t -> t.ingest, IngestMetrics::records);
        FunctionCounter.builder("streamtrain.ingest", this, t -> t.ingest == null ? 0 : t.ingest.bytes())
                .baseUnit("bytes").tags(job).description("Record bytes read").register(registry);
        gauge("streamtrain.ingest.records.per.second", "Read rate", t -> t.ingest, IngestMetrics::recordsPerSecond);
        gauge("streamtrain.ingest.queue.depth", "Minibatches waiting for the trainer", t -> t.ingest,
                IngestMetrics::queueDepth);
        gauge("streamtrain.ingest.paused", "1 while back-pressure pauses consumption", t -> t.ingest,
                i -> i.paused() ? 1 : 0);
        gauge("streamtrain.ingest.decode.seconds", "Mean decode and validation time per record", t -> t.ingest,
                i -> i.decodeMicros() / 1e6);
    }

    /**
     * Totals only go up (Prometheus reads a decrease as a restart): after a rollback the trainer's position goes back,
     * and the updates and examples trained again count as more work done.
     */
    private void stepped(StepMetricsBatch batch) {
        for (StepMetrics m : batch.steps()) {
            StepMetrics before = step;
            if (before == null) { // first sight: the work the model holds (a resumed run's included)
                updates.increment(m.update());
                samples.increment(m.samples());
            } else {
                updates.increment();
                // the first update after a rollback cannot tell its examples from the restored count: none counted
                samples.increment(Math.max(0, m.samples() - before.samples()));
            }
            step = m;
        }
    }

    private void ingested(IngestMetrics m) {
        ingest = m;
        m.lag().forEach((partition, value) -> {
            if (lag.put(partition, value) == null) {
                lagGauges.put(partition, Gauge.builder("streamtrain.ingest.lag", this,
                        t -> t.lag.getOrDefault(partition, 0L))
                        .description("End offset minus the next offset to read, per partition").tags(job)
                        .tag("partition", partition).baseUnit("records").register(registry));
            }
        });
        for (String gone : List.copyOf(lagGauges.keySet())) { // a partition no longer assigned has no lag to show
            if (!m.lag().containsKey(gone)) {
                registry.remove(lagGauges.remove(gone));
                lag.remove(gone);
            }
        }
        totals("streamtrain.ingest.dead.lettered", "Records dead-lettered, by reason", deadLettered, m.deadLettered());
        totals("streamtrain.ingest.skipped", "Records skipped as not data, by reason", skipped, m.skipped());
    }

    /** Keeps the latest totals by reason, with a function counter per reason on first sight. */
    private void totals(String name, String help, Map<String, Long> held, Map<String, Long> latest) {
        latest.forEach((reason, value) -> {
            if (held.put(reason, value) == null) {
                FunctionCounter.builder(name, this, t -> held.getOrDefault(reason, 0L)).description(help).tags(job)
                        .tag("reason", reason).register(registry);
            }
        });
    }

    private void count(String name, String help, String tag, String value, long n) {
        Counter.builder(name).description(help).tags(job).tag(tag, value).register(registry).increment(n);
    }

    // Micrometer holds a meter's state object weakly: it is this verticle (deployed, so strongly held), never a lambda

    private <T> void counter(String name, String help, Function<TrainingMeters, T> latest,
            java.util.function.ToLongFunction<T> value) {
        FunctionCounter.builder(name, this, t -> latest.apply(t) == null ? 0 : value.applyAsLong(latest.apply(t)))
                .description(help).tags(job).register(registry);
    }

    private <T> void gauge(String name, String help, Function<TrainingMeters, T> latest, ToDoubleFunction<T> value) {
        Gauge.builder(name, this, t -> latest.apply(t) == null ? Double.NaN : value.applyAsDouble(latest.apply(t)))
                .description(help).tags(job).register(registry);
    }
}
