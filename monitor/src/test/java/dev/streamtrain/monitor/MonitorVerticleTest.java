package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.StepMetricsBatch;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.RolledBack;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The monitor on a real Vert.x, with a fake trainer answering on the control address. */
class MonitorVerticleTest {
    private final TestClock clock = new TestClock(1234);
    private Vertx vertx;
    private final LinkedBlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<TrainerCommand> commands = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Events.registerCodecs(vertx);
        vertx.eventBus().<Alert>consumer(Addresses.ALERTS, m -> alerts.add(m.body())).completion()
                .await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** A fake trainer: records each command and answers with {@code answer}. */
    private void trainer(Function<TrainerCommand, CommandReply> answer) throws Exception {
        vertx.eventBus().<TrainerCommand>consumer(Addresses.TRAINER_CONTROL, m -> {
            commands.add(m.body());
            m.reply(answer.apply(m.body()));
        }).completion().await(10, TimeUnit.SECONDS);
    }

    private void deploy(String yaml) throws Exception {
        JobConfig c = Streams.config(yaml);
        vertx.deployVerticle(new MonitorVerticle("j", c.monitor(), c.remediation(), c.earlyStopping(), clock))
                .await(10, TimeUnit.SECONDS);
    }

    private void steps(long from, int n, Random random) {
        for (long u = from; u < from + n; u++) {
            vertx.eventBus().publish(Addresses.STEP_METRICS,
                    StepMetricsBatch.of(Streams.step(u, 0.5 * (1 + 0.05 * random.nextGaussian()))));
        }
    }

    @Test
    void aLossSpikeIsAlertedAndRolledBackToBeforeItsUpdate() throws Exception {
        trainer(cmd -> new CommandReply.Accepted(31, "rolled back to update 20, lr 0.1 -> 0.05"));
        deploy("remediation: {actions: {loss_spike: rollback}}");
        steps(1, 30, new Random(7));
        vertx.eventBus().publish(Addresses.STEP_METRICS, StepMetricsBatch.of(Streams.step(31, 50.0)));

        Alert alert = alerts.poll(10, TimeUnit.SECONDS);
        assertEquals("loss_spike", alert.kind());
        assertEquals(31, alert.update());
        assertEquals(1234, alert.timeMillis());
        var rollback = assertInstanceOf(TrainerCommand.Rollback.class, commands.poll(10, TimeUnit.SECONDS));
        assertEquals("loss_spike", rollback.reason());
        assertEquals(31, rollback.beforeUpdate());
        // the trainer reports the rollback; the monitor logs it and asks nothing more
        vertx.eventBus().publish(Addresses.ROLLED_BACK, new RolledBack("j", 31, 20, "/ckpt/20", "loss_spike", 0.1,
                0.05, 50.0, 0.45, List.of(new OffsetRange("t", 0, 0, 351)), false, 0));
        assertNull(commands.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void aRejectedUpdateAlertsOnceAndARefusedRollbackGivesTheBudgetBack() throws Exception {
        var bus = vertx.eventBus();
        // the trainer refuses each rollback, then (as it would, a minibatch later) rejects the next update
        var served = new java.util.concurrent.atomic.AtomicInteger();
        trainer(cmd -> {
            int n = served.incrementAndGet();
            if (n < 3) {
                vertx.setTimer(20, t -> reject(n + 2));
            }
            return new CommandReply.Refused(3, "no good checkpoint before update 3");
        });
        deploy("remediation: {cooldown-updates: 0, max-rollbacks: 1}");
        reject(2);
        // with one rollback allowed, three refused rollbacks never exhaust the budget: no stop
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(TrainerCommand.Rollback.class, commands.poll(10, TimeUnit.SECONDS), "rollback " + i);
        }
        Alert first = alerts.poll(10, TimeUnit.SECONDS);
        assertEquals("non_finite_loss", first.kind());
        assertEquals(1, first.offsets().size(), "from the rejection, which names the records");
        assertNull(alerts.poll(300, TimeUnit.MILLISECONDS), "the other two are folded by the 60 s throttle");
        assertNull(commands.poll(100, TimeUnit.MILLISECONDS));
        bus.publish(Addresses.UPDATE_REJECTED, Streams.rejected(9, "non_finite_loss", Double.NaN));
        assertInstanceOf(TrainerCommand.Rollback.class, commands.poll(10, TimeUnit.SECONDS), "budget still there");
    }

    /** Two reports of a refused minibatch: a step with a NaN loss (must not alert twice), and the rejection. */
    private void reject(long update) {
        vertx.eventBus().publish(Addresses.STEP_METRICS, StepMetricsBatch.of(Streams.step(update, Double.NaN)));
        vertx.eventBus().publish(Addresses.UPDATE_REJECTED, Streams.rejected(update, "non_finite_loss", Double.NaN));
    }

    @Test
    void anExhaustedRollbackBudgetStopsTheRunWithACriticalAlert() throws Exception {
        trainer(cmd -> new CommandReply.Accepted(3, "done"));
        deploy("remediation: {cooldown-updates: 0, max-rollbacks: 1}");
        var bus = vertx.eventBus();
        bus.publish(Addresses.UPDATE_REJECTED, Streams.rejected(3, "non_finite_gradient", Double.NaN));
        bus.publish(Addresses.UPDATE_REJECTED, Streams.rejected(4, "non_finite_gradient", Double.NaN));
        bus.publish(Addresses.UPDATE_REJECTED, Streams.rejected(5, "non_finite_gradient", Double.NaN));
        assertInstanceOf(TrainerCommand.Rollback.class, commands.poll(10, TimeUnit.SECONDS));
        var stop = assertInstanceOf(TrainerCommand.Stop.class, commands.poll(10, TimeUnit.SECONDS));
        assertTrue(stop.reason().startsWith("rollback_budget_exhausted:"), stop.reason());
        assertNull(commands.poll(300, TimeUnit.MILLISECONDS), "nothing after a stop");
        Alert a1 = alerts.poll(10, TimeUnit.SECONDS);
        Alert a2 = alerts.poll(10, TimeUnit.SECONDS);
        assertEquals("non_finite_gradient", a1.kind());
        assertEquals("rollback_budget_exhausted", a2.kind());
        assertTrue(a2.critical());
    }

    @Test
    void earlyStoppingAsksToStopOnce() throws Exception {
        trainer(cmd -> new CommandReply.Accepted(300, "stopping"));
        deploy("early-stopping: {patience: 1, restore_best: true}");
        var bus = vertx.eventBus();
        bus.publish(Addresses.VALIDATION_METRICS, Streams.val(100, 0.5));
        bus.publish(Addresses.VALIDATION_METRICS, Streams.val(200, 0.6));
        bus.publish(Addresses.VALIDATION_METRICS, Streams.val(300, 0.7));
        var stop = assertInstanceOf(TrainerCommand.Stop.class, commands.poll(10, TimeUnit.SECONDS));
        assertEquals("early_stopping: val_loss did not improve for 1 evaluation (best 0.5 at update 100)",
                stop.reason());
        assertTrue(stop.restoreBest());
        assertNull(commands.poll(300, TimeUnit.MILLISECONDS), "once");
    }

    @Test
    void theSkeletonConstructorStillAlertsWithoutActing() throws Exception {
        trainer(cmd -> new CommandReply.Accepted(0, "x"));
        vertx.deployVerticle(new MonitorVerticle(List.of(new NonFiniteLossRule(clock)))).await(10, TimeUnit.SECONDS);
        vertx.eventBus().publish(Addresses.VALIDATION_METRICS, Streams.val(4, Double.POSITIVE_INFINITY));
        Alert a = alerts.poll(10, TimeUnit.SECONDS);
        assertEquals("non_finite_loss", a.kind());
        assertTrue(a.message().contains("validation loss is Infinity"), a.message());
        assertNull(commands.poll(300, TimeUnit.MILLISECONDS), "no remediation configured");
    }
}
