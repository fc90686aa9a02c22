package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.PredictRequest;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;

/**
 * Runs the {@link TrainingLoop} on its own thread (never on the event loop), publishes its facts on the event bus,
 * and answers {@link Addresses#TRAINER_PREDICT} requests.
 */
public final class TrainerVerticle extends VerticleBase {
    private final JobConfig cfg;
    private final BackPressureQueue<BatchQueueItem> queue;
    private final ValidationSet validationSet;
    private TrainingLoop loop;
    private Thread thread;

    public TrainerVerticle(JobConfig cfg, BackPressureQueue<BatchQueueItem> queue, ValidationSet validationSet) {
        this.cfg = cfg;
        this.queue = queue;
        this.validationSet = validationSet;
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        EventBus bus = vertx.eventBus();
        return vertx.executeBlocking(() -> new TrainingLoop(cfg, queue, validationSet, new BusEvents(bus),
                System::nanoTime)).map(created -> {
                    loop = created;
                    thread = new Thread(loop::run, "streamtrain-trainer");
                    thread.start();
                    bus.<PredictRequest>consumer(Addresses.TRAINER_PREDICT, msg -> loop.predict(msg.body())
                            .whenComplete((reply, error) -> {
                                if (error != null) {
                                    msg.fail(500, error.getMessage());
                                } else {
                                    msg.reply(reply);
                                }
                            }));
                    return null;
                });
    }

    /** The offsets ingest must continue from (those of the resumed checkpoint); valid once started. */
    public java.util.List<dev.streamtrain.core.events.PartitionOffset> resumeOffsets() {
        return loop == null ? java.util.List.of() : loop.resumeOffsets();
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
        });
    }

    private record BusEvents(EventBus bus) implements TrainerEvents {
        @Override
        public void step(StepMetrics metrics) {
            bus.publish(Addresses.STEP_METRICS, metrics);
        }

        @Override
        public void validation(ValidationMetrics metrics) {
            bus.publish(Addresses.VALIDATION_METRICS, metrics);
        }

        @Override
        public void checkpointSaved(CheckpointSaved checkpoint) {
            bus.publish(Addresses.CHECKPOINT_SAVED, checkpoint);
        }

        @Override
        public void lrChanged(LrChanged change) {
            bus.publish(Addresses.LR_CHANGED, change);
        }

        @Override
        public void finished(TrainingFinished finished) {
            bus.publish(Addresses.TRAINING_FINISHED, finished);
        }
    }
}
