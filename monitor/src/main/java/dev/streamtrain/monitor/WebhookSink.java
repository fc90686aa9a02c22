package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.Events;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts every alert, as its JSON event ({@link Events#toJson}), to each configured webhook (section
 * {@code monitor.webhooks}). Each attempt has the hook's {@code timeout-ms} (to connect, and between bytes of the
 * answer); a failed attempt (no connection, timeout, or an HTTP status other than 2xx) is retried up to
 * {@code retries} times, waiting {@code backoff-ms} before the first retry and twice as long before each next one
 * (on a Vert.x timer: nothing ever blocks the event loop). A hook that still fails is logged once for that alert;
 * nothing is thrown, so a broken hook never disturbs training.
 */
public final class WebhookSink {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);
    private final Vertx vertx;
    private final List<MonitorSettings.Webhook> hooks;
    private final HttpClient client;

    public WebhookSink(Vertx vertx, List<MonitorSettings.Webhook> hooks) {
        this.vertx = vertx;
        this.hooks = List.copyOf(hooks);
        this.client = hooks.isEmpty() ? null : vertx.createHttpClient();
    }

    /**
     * Sends an alert to every hook.
     *
     * @return completes when every hook took it or gave up; with {@code true} per hook that took it (never fails)
     */
    public Future<List<Boolean>> send(Alert alert) {
        if (hooks.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        Buffer body = Buffer.buffer(Events.toJson(alert));
        List<Future<Boolean>> all = new ArrayList<>();
        for (MonitorSettings.Webhook hook : hooks) {
            Promise<Boolean> done = Promise.promise();
            attempt(hook, body, alert, 0, done);
            all.add(done.future());
        }
        return Future.join(all).map(c -> all.stream().map(Future::result).toList());
    }

    private void attempt(MonitorSettings.Webhook hook, Buffer body, Alert alert, int attempt,
            Promise<Boolean> done) {
        post(hook, body).onComplete(ar -> {
            String problem = ar.succeeded() ? ar.result() : describe(ar.cause());
            if (problem == null) {
                done.complete(true);
            } else if (attempt < hook.retries()) {
                // exponential back-off: backoff, 2 x backoff, 4 x backoff, ... (capped to avoid overflow)
                long wait = hook.backoffMillis() << Math.min(attempt, 30);
                vertx.setTimer(Math.max(1, wait), t -> attempt(hook, body, alert, attempt + 1, done));
            } else {
                LOG.warn("webhook {} did not take alert {} (update {}) after {} attempts: {}", hook.url(),
                        alert.kind(), alert.update(), attempt + 1, problem);
                done.complete(false);
            }
        });
    }

    /** One POST; succeeds with null when the hook answered 2xx, else with what went wrong. */
    private Future<String> post(MonitorSettings.Webhook hook, Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(hook.url())
                .setConnectTimeout(hook.timeoutMillis()).setIdleTimeout(hook.timeoutMillis())
                .putHeader("content-type", "application/json");
        Future<String> answer = client.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .map(status -> status / 100 == 2 ? null : "answered HTTP " + status);
        // a hook that keeps trickling bytes would dodge the idle timeout: bound the whole attempt as well
        return answer.timeout(2 * hook.timeoutMillis() + 100, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static String describe(Throwable cause) {
        String text = cause.getMessage() == null ? "" : cause.getMessage();
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (cause instanceof java.util.concurrent.TimeoutException || lower.contains("timeout")
                || lower.contains("timed out")) {
            return "no answer in time";
        }
        if (cause instanceof java.net.ConnectException || lower.contains("connection refused")) {
            return "connection refused";
        }
        return text.isEmpty() ? "the connection failed" : text;
    }

    /** Closes the HTTP client. */
    public Future<Void> close() {
        return client == null ? Future.succeededFuture() : client.close();
    }
}
