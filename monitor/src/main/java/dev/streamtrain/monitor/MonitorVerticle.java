package dev.streamtrain.monitor;

import dev.streamtrain.core.config.EarlyStoppingSettings;
import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.config.RemediationSettings;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.UpdateRejected;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor: closes the loop between what training reports and what is done about it. Never touches the model.
 *
 * <p>Flow: the trainer's and ingest's facts on the event bus ({@link Addresses#STEP_METRICS},
 * {@link Addresses#VALIDATION_METRICS}, {@link Addresses#INGEST_METRICS}, {@link Addresses#UPDATE_REJECTED},
 * {@link Addresses#LR_CHANGED}, {@link Addresses#TRAINING_FINISHED}) → rules ({@link MetricRule}) → findings. Each
 * finding goes
 * <ul>
 *   <li>through the {@link AlertThrottle} to the sinks: {@link Addresses#ALERTS} (the app forwards it to the
 *       {@code <job>.alerts} topic), the log, and the webhooks;</li>
 *   <li>to the {@link RemediationPolicy}, whose command goes to the trainer ({@link Addresses#TRAINER_CONTROL}).</li>
 * </ul>
 * The policy sees every finding, throttled or not: the throttle is wall-clock time for people, while the policy has
 * its own cooldown in updates. Otherwise a second NaN a few seconds after a rollback, inside the alert window, would
 * never be acted on and training would go on from a broken state. Alerts the policy raises itself (rollback budget
 * exhausted) are published like findings.
 *
 * <p>Early stopping ({@link EarlyStopping}) asks the trainer to stop once. After any stop is asked, or once the run
 * has finished, nothing more is asked. Rollbacks the trainer reports ({@link Addresses#ROLLED_BACK}) are logged.
 *
 * <p>The policy's update clock counts the step reports received, so it only goes forward even when a rollback sets
 * the trainer's update count back.
 */
public final class MonitorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorVerticle.class);
    private final String job;
    private final List<MetricRule> rules;
    private final MonitorSettings settings;
    private final AlertThrottle throttle;
    private final RemediationPolicy policy;
    private final EarlyStopping earlyStopping;
    private String drive;
    private final EarlyStoppingSettings earlyStoppingSettings;
    private WebhookSink webhooks;
    private TrainerControl control;
    private long updatesSeen;
    private boolean stopAsked;
    private boolean finished;

    /**
     * The monitor of a job, with the enabled rules of its settings.
     *
     * @param job job name (for logs)
     * @param monitor section {@code monitor}: rules, throttle, webhooks
     * @param remediation sections {@code remediation} and {@code rollback}
     * @param earlyStopping section {@code early-stopping}
     * @param clock the only source of time for rules, throttle and alerts
     */
    public MonitorVerticle(String job, MonitorSettings monitor, RemediationSettings remediation,
            EarlyStoppingSettings earlyStopping, Clock clock) {
        this(job, Rules.enabled(monitor, clock), monitor, remediation, earlyStopping, clock);
    }

    /** The same with explicit rules (tests, or a rule set built elsewhere); the settings' rules are not used. */
    public MonitorVerticle(String job, List<MetricRule> rules, MonitorSettings monitor,
            RemediationSettings remediation, EarlyStoppingSettings earlyStopping, Clock clock) {
        this.job = job;
        this.rules = List.copyOf(rules);
        this.settings = monitor;
        this.throttle = new AlertThrottle(monitor.throttleMillis(), clock);
        this.policy = new RemediationPolicy(remediation, clock);
        this.earlyStoppingSettings = earlyStopping;
        this.earlyStopping = new EarlyStopping(earlyStopping);
    }

    /**
     * Alerts only: these rules, no throttling, no webhooks, no remediation, no early stopping (the walking
     * skeleton's monitor).
     */
    public MonitorVerticle(List<MetricRule> rules) {
        this("streamtrain", rules, new MonitorSettings(0, List.of(), Map.of()),
                new RemediationSettings(Map.of(), 0.5, 0, 0, 1), EarlyStoppingSettings.off(),
                Clock.systemUTC());
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        webhooks = new WebhookSink(vertx, settings.webhooks());
        control = new TrainerControl(vertx.eventBus(), policy::refused);
        if (earlyStoppingSettings.enabled() && !earlyStopping.active()) {
            LOG.info("early stopping watches {}, which only the external metrics topic can deliver (job {})",
                    earlyStoppingSettings.monitor(), job);
        }
        EventBus bus = vertx.eventBus();
        List<MessageConsumer<?>> consumers = new ArrayList<>();
        consumers.add(bus.<dev.streamtrain.core.events.StepMetricsBatch>consumer(Addresses.STEP_METRICS,
                m -> m.body().steps().forEach(this::onStep)));
        consumers.add(bus.<ValidationMetrics>consumer(Addresses.VALIDATION_METRICS, m -> onValidation(m.body())));
        consumers.add(bus.<IngestMetrics>consumer(Addresses.INGEST_METRICS,
                m -> handle(r -> r.onIngest(m.body()))));
        consumers.add(bus.<UpdateRejected>consumer(Addresses.UPDATE_REJECTED,
                m -> handle(r -> r.onRejected(m.body()))));
        consumers.add(bus.<LrChanged>consumer(Addresses.LR_CHANGED, m -> handle(r -> r.onLrChanged(m.body()))));
        consumers.add(bus.<TrainingFinished>consumer(Addresses.TRAINING_FINISHED, m -> onFinished(m.body())));
        consumers.add(bus.<RolledBack>consumer(Addresses.ROLLED_BACK, m -> TrainerControl.logRolledBack(m.body())));
        consumers.add(bus.<dev.streamtrain.core.events.ExternalMetric>consumer(Addresses.EXTERNAL_METRICS,
                m -> earlyStopping.onExternal(m.body()).ifPresent(this::stopEarly)));
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    }

    @Override
    public Future<?> stop() {
        return webhooks == null ? Future.succeededFuture() : webhooks.close();
    }

    private void onStep(StepMetrics m) {
        updatesSeen++;
        handle(r -> r.onStep(m));
        earlyStopping.onStep(m).ifPresent(this::stopEarly);
    }

    /**
     * Takes its validation metrics from one source (the one that drives the rate control); the others are published
     * for people but would mix curves of different data in the rules. Uncounted evaluations (too few rows) are
     * skipped.
     */
    public MonitorVerticle drivenBy(String source) {
        this.drive = source;
        return this;
    }

    private void onValidation(ValidationMetrics m) {
        if (drive != null && !drive.equals(m.source()) || !m.counted()) {
            return;
        }
        handle(r -> r.onValidation(m));
        earlyStopping.onValidation(m).ifPresent(this::stopEarly);
    }

    private void onFinished(TrainingFinished f) {
        // the run is over: findings are still published, but there is no trainer left to ask
        finished = true;
        handle(r -> r.onFinished(f));
    }

    private void handle(Function<MetricRule, List<Alert>> call) {
        for (MetricRule rule : rules) {
            for (Alert finding : call.apply(rule)) {
                if (finding.critical()) { // unthrottled: every one makes the checkpoints after it not good
                    vertx.eventBus().publish(Addresses.CRITICAL_FINDINGS, finding);
                }
                publish(finding);
                act(finding);
            }
        }
    }

    private void publish(Alert finding) {
        Optional<Alert> alert = throttle.offer(finding);
        if (alert.isEmpty()) {
            return;
        }
        vertx.eventBus().publish(Addresses.ALERTS, alert.get());
        AlertLog.write(alert.get());
        webhooks.send(alert.get());
    }

    private void act(Alert finding) {
        if (finished || stopAsked) {
            return;
        }
        if (policy.acts(finding.kind()) && policy.coolingDown(updatesSeen)) {
            LOG.info("{} at update {} not acted on: remediation is cooling down after its last action",
                    finding.kind(), finding.update());
        }
        policy.decide(finding, updatesSeen).ifPresent(decision -> {
            decision.alerts().forEach(this::publish);
            ask(decision.command(), finding.kind() + " at update " + finding.update());
        });
    }

    private void stopEarly(TrainerCommand.Stop stop) {
        if (finished || stopAsked) {
            return;
        }
        LOG.info("{} (job {})", stop.reason(), job);
        ask(stop, "early stopping");
    }

    private void ask(TrainerCommand command, String why) {
        if (command instanceof TrainerCommand.Stop) {
            stopAsked = true;
        }
        control.send(command, why);
    }

    /** Updates seen so far (the policy's clock). */
    long updatesSeen() {
        return updatesSeen;
    }
}
