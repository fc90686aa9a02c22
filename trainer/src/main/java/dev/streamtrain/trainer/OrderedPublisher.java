package dev.streamtrain.trainer;

import io.vertx.core.Context;
import io.vertx.core.eventbus.EventBus;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the trainer thread's facts on the event bus from the trainer verticle's event loop, in the order they
 * were handed over, one event-loop task per burst. Publishing from the trainer thread itself had it wake the event
 * loop of every consumer (a system call each, several per update: monitor, progress, metrics, event bridge): in a
 * flight recording of the bench's batch-32 pipeline the trainer thread spent a third more CPU than the in-memory
 * loop for the same updates, and the same once this publisher took the wake-ups off it.
 */
final class OrderedPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedPublisher.class);

    private record Pending(String address, Object message) {
    }

    private final Context context;
    private final EventBus bus;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /**
     * @param context the event loop that publishes
     * @param bus where
     */
    OrderedPublisher(Context context, EventBus bus) {
        this.context = context;
        this.bus = bus;
    }

    /** Queues {@code message} for {@code address}; safe from any thread, never blocks. */
    void publish(String address, Object message) {
        pending.add(new Pending(address, message));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                context.runOnContext(v -> drain());
            } catch (RuntimeException closed) { // Vert.x is closing: nobody is left to tell
                drainScheduled.set(false);
                LOG.debug("not published, the event loop is closed: {}", address);
            }
        }
    }

    private void drain() {
        // cleared before polling: a fact queued from here on is either polled below or schedules the next drain
        drainScheduled.set(false);
        for (Pending p = pending.poll(); p != null; p = pending.poll()) {
            try {
                bus.publish(p.address(), p.message());
            } catch (RuntimeException e) { // one fact that cannot be sent must not hold back the ones after it
                LOG.warn("a trainer event could not be published on {}: {}", p.address(),
                        dev.streamtrain.core.events.Failures.describe(e));
            }
        }
    }
}
