package dev.streamtrain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {
    private Vertx vertx;
    private HttpServer server;
    private final AtomicInteger attempts = new AtomicInteger();
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Alert alert = new Alert("j", "loss_spike", "critical", "training loss 5 at update 51 ...", 51, 5.0,
            Map.of("z", 9.0), List.of(), 2, 1234);

    @BeforeEach
    void server() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/hang")) {
                return; // never answers
            }
            if (req.path().equals("/ok")) {
                req.response().setStatusCode(200).end();
                return;
            }
            req.body().onSuccess(body -> {
                if (attempts.incrementAndGet() == 1) {
                    req.response().setStatusCode(500).end("not now");
                } else {
                    received.add(body.toString());
                    req.response().setStatusCode(204).end();
                }
            });
        }).listen(0).await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private String url(String path) {
        return "http://localhost:" + server.actualPort() + path;
    }

    @Test
    void theAlertJsonArrivesAfterARetry() throws Exception {
        var sink = new WebhookSink(vertx, List.of(new MonitorSettings.Webhook(url("/hook"), 2000, 3, 50)));
        List<Boolean> result = sink.send(alert).await(10, TimeUnit.SECONDS);
        assertEquals(List.of(true), result);
        assertEquals(2, attempts.get(), "one 500, then accepted");
        String json = received.poll(1, TimeUnit.SECONDS);
        assertEquals(Events.toJson(alert), json);
        Alert back = Events.fromJson(json, Alert.class);
        assertEquals(alert, back);
    }

    @Test
    void aHookThatNeverAnswersTimesOutWithoutBlocking() throws Exception {
        var sink = new WebhookSink(vertx, List.of(new MonitorSettings.Webhook(url("/hang"), 400, 1, 50),
                new MonitorSettings.Webhook(url("/hook"), 2000, 0, 50)));
        // warm up: the first request ever loads the HTTP client's classes, which is not what is measured here
        assertEquals(List.of(true), new WebhookSink(vertx, List.of(new MonitorSettings.Webhook(url("/ok"), 2000, 0,
                50))).send(alert).await(10, TimeUnit.SECONDS));
        CompletableFuture<Long> tick = new CompletableFuture<>();
        CompletableFuture<io.vertx.core.Future<List<Boolean>>> sent = new CompletableFuture<>();
        long start = System.nanoTime();
        // send from the event loop, as the monitor does, and check the loop keeps serving other work meanwhile
        vertx.runOnContext(v -> {
            sent.complete(sink.send(alert));
            vertx.setTimer(20, t -> tick.complete(System.nanoTime()));
        });
        long tickAt = tick.get(5, TimeUnit.SECONDS);
        // a sink that waited for the hook on the loop would delay this timer by at least one 400 ms attempt
        assertTrue((tickAt - start) / 1_000_000 < 300, "a 20 ms timer fired late: the event loop was blocked");
        List<Boolean> result = sent.get(5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of(false, false), result, "the hanging hook gave up; the other one got a 500 and no retry");
        assertTrue(tookMillis >= 800, "two attempts of 400 ms each: " + tookMillis);
        assertTrue(tookMillis < 5_000, "bounded by the timeouts: " + tookMillis);
    }

    @Test
    void noHooksNothingSent() throws Exception {
        assertEquals(List.of(), new WebhookSink(vertx, List.of()).send(alert).await(1, TimeUnit.SECONDS));
    }
}
