package dev.streamtrain.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Iterator;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DashboardVerticleTest {
    private static final String TOKEN = "s3cret";
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private final LinkedBlockingQueue<TrainerCommand> served = new LinkedBlockingQueue<>();
    private int port;

    private void start(boolean protectViews) throws Exception {
        Events.registerCodecs(vertx);
        var dashboard = new DashboardVerticle(new RunInfo("j", "mlp", "SGD", "constant", 0, 0), 100, 50, TOKEN,
                protectViews, Clock.systemUTC());
        vertx.deployVerticle(dashboard).await(10, TimeUnit.SECONDS);
        vertx.eventBus().<TrainerCommand>consumer(Addresses.TRAINER_CONTROL, m -> { // a trainer that pauses only
            served.add(m.body());
            m.reply(m.body() instanceof TrainerCommand.Pause ? new CommandReply.Accepted(7, "paused")
                    : new CommandReply.Refused(7, "not paused"));
        });
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(1024));
        dashboard.mount(router);
        port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS)
                .actualPort();
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> post(String path, String auth, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            request.header("Authorization", auth);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void controlsNeedTheTokenAndCarryTheTrainersAnswer() throws Exception {
        start(false);
        assertEquals(401, post("/v1/trainer/pause", null, "").statusCode());
        var wrong = post("/v1/trainer/pause", "Bearer nope", "");
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.body().contains("not the one"), wrong.body());
        assertTrue(served.isEmpty(), "nothing reaches the trainer without the token");

        var paused = post("/v1/trainer/pause", "Bearer " + TOKEN, "{\"reason\": \"dashboard\"}");
        assertEquals(200, paused.statusCode(), paused.body());
        assertTrue(paused.body().contains("\"update\":7") && paused.body().contains("paused"), paused.body());
        assertEquals(new TrainerCommand.Pause("dashboard"), served.poll(5, TimeUnit.SECONDS));

        var refused = post("/v1/trainer/resume", "Bearer " + TOKEN, "");
        assertEquals(409, refused.statusCode());
        assertTrue(refused.body().contains("not paused"), refused.body());
        assertInstanceOf(TrainerCommand.Resume.class, served.poll(5, TimeUnit.SECONDS));

        post("/v1/trainer/scale-lr", "Bearer " + TOKEN, "{\"factor\": 0.5}");
        assertEquals(new TrainerCommand.ScaleLr(0.5, TrainerControlApi.DEFAULT_REASON), served.poll(5, TimeUnit.SECONDS));

        for (String[] bad : new String[][] {{"/v1/trainer/scale-lr", "{}", "400", "factor"},
            {"/v1/trainer/scale-lr", "{\"factor\": \"half\"}", "400", "factor"},
            {"/v1/trainer/stop", "not json", "400", "JSON object"},
            {"/v1/trainer/rollback", "{\"before_update\": \"x\"}", "400", "JSON object"},
            {"/v1/trainer/explode", "", "404", "checkpoint, pause, resume"}}) {
            var r = post(bad[0], "Bearer " + TOKEN, bad[1]);
            assertEquals(Integer.parseInt(bad[2]), r.statusCode(), bad[0] + " " + bad[1] + ": " + r.body());
            assertTrue(r.body().contains(bad[3]) && !r.body().contains("Exception"), r.body());
        }
        assertTrue(served.isEmpty(), "no bad request reaches the trainer: " + served);
        assertEquals(413, post("/v1/trainer/stop", "Bearer " + TOKEN, "x".repeat(4096)).statusCode());
    }

    @Test
    void servesThePageTheChartLibraryAndALiveEventStream() throws Exception {
        start(false);
        var page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("uPlot.iife.min.js") && page.body().contains("/dashboard/app.js"));
        assertEquals(200, get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").statusCode());
        assertEquals(200, get("/dashboard/app.js").statusCode());

        var lines = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertTrue(lines.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        Iterator<String> stream = lines.body().iterator();
        assertEquals("event: snapshot", stream.next());
        assertTrue(stream.next().startsWith("data: {\"summary\":{\"job\":\"j\""));
        vertx.eventBus().publish(Addresses.ALERTS, new Alert("j", "loss_spike", "warning", "lower the rate", 3, 9, 0));
        String delta = "";
        while (!delta.startsWith("data: [")) {
            delta = stream.next();
        }
        assertTrue(delta.contains("\"kind\":\"alert\"") && delta.contains("loss_spike")
                && delta.contains("\"kind\":\"marker\""), delta);
        lines.body().close();
    }

    @Test
    void protectedViewsNeedTheTokenInTheHeaderOrTheQuery() throws Exception {
        start(true);
        assertEquals(401, get("/api/run").statusCode());
        assertEquals(401, get("/api/events").statusCode());
        assertEquals(200, get("/").statusCode()); // the page and its files hold no data: they load, then read with it
        assertEquals(200, get("/dashboard/app.js").statusCode());
        assertEquals(200, get("/dashboard/style.css").statusCode());
        assertEquals(401, get("/api/run?access_token=wrong").statusCode());
        var run = get("/api/run?access_token=" + TOKEN);
        assertEquals(200, run.statusCode());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/run"))
                .header("Authorization", "bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode(), "the scheme's name is case-insensitive (RFC 7235)");
        assertTrue(run.body().contains("\"job\":\"j\""), run.body());
    }
}
