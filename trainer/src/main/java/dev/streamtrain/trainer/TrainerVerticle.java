package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.batch.QuarantineRequest;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.events.UpdateRejected;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.CompletableFuture;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;

/**
 * Runs the {@link TrainingLoop} on its own thread (never on the event loop), publishes its facts on the event bus,
 * serves {@link Addresses#TRAINER_CONTROL} commands, tells the loop of critical alerts, and asks ingest to
 * dead-letter the minibatches the loop did not train.
 */
public final class TrainerVerticle extends VerticleBase {
    private final JobConfig cfg;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final ValidationSet validationSet;
    private final ValidationSet holdout;
    private TrainingLoop loop;
    private Thread thread;
    private OrderedPublisher publisher;

    public TrainerVerticle(JobConfig cfg, BackPressureQueue<BatchQueueItem> queue, ValidationSet validationSet) {
        this(cfg, queue, validationSet, new ValidationSet(1));
    }

    /** @param holdout the records ingest holds out by key hash (validation source {@code holdout}) */
    public TrainerVerticle(JobConfig cfg, BackPressureQueue<BatchQueueItem> queue, ValidationSet validationSet,
            ValidationSet holdout) {
        this.cfg = cfg;
        this.queue = queue;
        this.validationSet = validationSet;
        this.holdout = holdout;
    }

    /** The engine being loaded ahead, if {@link #loadEngineAhead} was called. */
    private static volatile CompletableFuture<Void> engineLoading = CompletableFuture.completedFuture(null);

    /**
     * Starts loading the deep-learning engine (libtorch: about 0.6 s of a restart on the bench machine) on a thread
     * of its own, so that a job's start overlaps it with setting up its topics and verticles. The trainer waits for it
     * before its first use of the engine, so the two never contend for the load (DJL's provider would serialise
     * them anyway). A failure is left to that first use to report, in its words.
     */
    public static void loadEngineAhead() {
        var loading = new CompletableFuture<Void>();
        engineLoading = loading;
        Thread t = new Thread(() -> {
            try {
                ai.djl.engine.Engine.getInstance();
            } catch (RuntimeException | Error e) {
                // reported by the trainer's own first use
            } finally {
                loading.complete(null);
            }
        }, "engine-loader");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        EventBus bus = vertx.eventBus();
        publisher = new OrderedPublisher(context, bus);
        BusEvents events = new BusEvents(bus, publisher);
        return vertx.executeBlocking(() -> {
            engineLoading.join();
            return new TrainingLoop(cfg, queue, validationSet, holdout, events, System::nanoTime, false);
        }).compose(created -> {
                    loop = created;
                    thread = new Thread(loop::run, "streamtrain-trainer");
                    thread.start();
                    bus.<Alert>consumer(Addresses.CRITICAL_FINDINGS, msg -> loop.alertRaised(msg.body()));
                    bus.<dev.streamtrain.core.events.ExternalMetric>consumer(Addresses.EXTERNAL_METRICS,
                            msg -> loop.externalMetric(msg.body()));
                    return bus.<TrainerCommand>consumer(Addresses.TRAINER_CONTROL, msg -> loop.control(msg.body())
                            .thenAccept(msg::reply)).completion();
                });
    }

    /** Where ingest must continue (the resumed checkpoint's position); valid once started. */
    public dev.streamtrain.core.events.TrainingPosition resumePosition() {
        return loop == null ? dev.streamtrain.core.events.TrainingPosition.NONE : loop.resumePosition();
    }

    @Override
    public Future<?> stop() {
        if (loop == null) {
            return Future.succeededFuture();
        }
        loop.stop();
        return vertx.executeBlocking(() -> {
            thread.join();
            loop.close();
            return null;
        }).andThen(ar -> publisher.drain()); // the last facts, before the verticle's timers are cancelled
    }

    /** The loop's facts, published in order from the event loop ({@link OrderedPublisher}). */
    private record BusEvents(EventBus bus, OrderedPublisher out) implements TrainerEvents {
        @Override
        public void step(StepMetrics metrics) {
            out.step(metrics);
        }

        @Override
        public void validation(ValidationMetrics metrics) {
            out.publish(Addresses.VALIDATION_METRICS, metrics);
        }

        @Override
        public void checkpointSaved(CheckpointSaved checkpoint) {
            out.publish(Addresses.CHECKPOINT_SAVED, checkpoint);
        }

        @Override
        public void lrChanged(LrChanged change) {
            out.publish(Addresses.LR_CHANGED, change);
        }

        @Override
        public void finished(TrainingFinished finished) {
            out.publish(Addresses.TRAINING_FINISHED, finished);
        }

        @Override
        public void updateRejected(UpdateRejected rejected) {
            out.publish(Addresses.UPDATE_REJECTED, rejected);
        }

        @Override
        public void rolledBack(RolledBack rollback) {
            out.publish(Addresses.ROLLED_BACK, rollback);
        }

        @Override
        public CompletableFuture<Void> quarantine(QuarantineRequest request) {
            return bus.request(Addresses.INGEST_QUARANTINE, request, new DeliveryOptions().setSendTimeout(120_000))
                    .<Void>mapEmpty().toCompletionStage().toCompletableFuture();
        }
    }
}
