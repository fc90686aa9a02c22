package dev.streamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrderedPublisherTest {
    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        dev.streamtrain.core.events.Events.registerCodecs(vertx);
    }

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Consumers of addresses a and b in a verticle of their own (another context than the publisher's). */
    private CompletableFuture<List<String>> receive(int facts) throws Exception {
        var all = new CompletableFuture<List<String>>();
        vertx.deployVerticle(new VerticleBase() {
            private final List<String> received = new ArrayList<>();

            @Override
            public Future<?> start() {
                for (String address : List.of("a", "b")) {
                    vertx.eventBus().<String>consumer(address, m -> {
                        received.add(m.body());
                        if (received.size() == facts) {
                            all.complete(List.copyOf(received));
                        }
                    });
                }
                return Future.succeededFuture();
            }
        }).await(10, TimeUnit.SECONDS);
        return all;
    }

    private static List<String> facts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("fact-" + i);
        }
        return out;
    }

    /** Hands the facts over from a thread of its own, as the trainer does; a failure there is returned. */
    private static Throwable fromAnotherThread(Runnable work) throws InterruptedException {
        var failure = new AtomicReference<Throwable>();
        Thread trainer = new Thread(work);
        trainer.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        trainer.start();
        trainer.join();
        return failure.get();
    }

    @Test
    void factsArriveInTheOrderTheyWereHandedOverAcrossAddresses() throws Exception {
        int n = 20_000;
        var received = receive(n);
        var publisher = new OrderedPublisher(vertx.getOrCreateContext(), vertx.eventBus());
        assertNull(fromAnotherThread(() -> {
            for (int i = 0; i < n; i++) {
                publisher.publish(i % 3 == 0 ? "b" : "a", "fact-" + i);
                if (i % 1000 == 0) {
                    Thread.yield(); // let drains run mid-stream: bursts of every size
                }
            }
        }));
        assertEquals(facts(n), received.get(30, TimeUnit.SECONDS));
    }

    private static dev.streamtrain.core.events.StepMetrics step(long update) {
        return new dev.streamtrain.core.events.StepMetrics("j", update, 32 * update, 0.5, 0.1, 0.9, Double.NaN, 1e4,
                update);
    }

    @Test
    void consecutiveStepsTravelAsBatchesInOrderWithTheOtherFactsBetweenThem() throws Exception {
        var seen = new CompletableFuture<List<String>>();
        vertx.deployVerticle(new VerticleBase() {
            private final List<String> received = new ArrayList<>();

            @Override
            public Future<?> start() {
                vertx.eventBus().<dev.streamtrain.core.events.StepMetricsBatch>consumer(
                        dev.streamtrain.core.events.Addresses.STEP_METRICS, m -> received.add(m.body().steps().stream()
                                .map(s -> String.valueOf(s.update())).toList().toString()));
                vertx.eventBus().<String>consumer("checkpoint", m -> {
                    received.add(m.body());
                    if (m.body().equals("end")) {
                        seen.complete(List.copyOf(received));
                    }
                });
                return Future.succeededFuture();
            }
        }).await(10, TimeUnit.SECONDS);
        var publisher = new OrderedPublisher(vertx.getOrCreateContext(), vertx.eventBus());
        assertNull(fromAnotherThread(() -> { // well inside one drain delay: one burst
            for (long u = 1; u <= 3; u++) {
                publisher.step(step(u));
            }
            publisher.publish("checkpoint", "saved at 3");
            publisher.step(step(4));
            publisher.publish("checkpoint", "end");
        }));
        assertEquals(List.of("[1, 2, 3]", "saved at 3", "[4]", "end"), seen.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFactThatCannotBeSentDoesNotHoldBackTheOnesAfterIt() throws Exception {
        var received = receive(2);
        var publisher = new OrderedPublisher(vertx.getOrCreateContext(), vertx.eventBus());
        assertNull(fromAnotherThread(() -> {
            publisher.publish("a", "fact-0");
            publisher.publish("a", new Object()); // no codec for its type: the bus refuses it
            publisher.publish("b", "fact-1");
        }));
        assertEquals(facts(2), received.get(10, TimeUnit.SECONDS));
    }
}
