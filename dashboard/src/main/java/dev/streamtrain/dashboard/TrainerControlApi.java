package dev.streamtrain.dashboard;

import dev.streamtrain.core.control.BearerToken;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code POST /v1/trainer/<action>} with {@code Authorization: Bearer <token>}: the trainer's control commands over
 * HTTP, for the dashboard's buttons and for scripts. Actions and their optional JSON body:
 * <ul>
 *   <li>{@code pause}, {@code resume}, {@code checkpoint} (evaluate and save now);</li>
 *   <li>{@code stop} — {@code {"restore_best": false}};</li>
 *   <li>{@code rollback} — {@code {"before_update": 0}} (0: the newest good state);</li>
 *   <li>{@code scale-lr} — {@code {"factor": 0.5}} (required, in (0, 10]); {@code set-lr} — {@code {"lr": 0.01}}.</li>
 * </ul>
 * Every action takes {@code "reason"} too (logged and kept in the events). The trainer serves the command between
 * minibatches: 200 {@code {"accepted": true, "update": N, "detail": ...}}, 409 with its reason when it refuses, 503
 * when no trainer answers, 401 without the token, 400 for a body that is not what the action takes.
 */
public final class TrainerControlApi {
    /** A rollback restores a checkpoint between minibatches: allow for it. */
    static final long REPLY_TIMEOUT_MILLIS = 60_000;
    static final String DEFAULT_REASON = "requested over HTTP";
    private static final Map<String, Function<JsonObject, TrainerCommand>> ACTIONS = Map.of(
            "pause", b -> new TrainerCommand.Pause(reason(b)),
            "resume", b -> new TrainerCommand.Resume(),
            "checkpoint", b -> new TrainerCommand.CheckpointNow(),
            "stop", b -> new TrainerCommand.Stop(reason(b), b.getBoolean("restore_best", false)),
            "rollback", b -> new TrainerCommand.Rollback(reason(b), b.getLong("before_update", 0L)),
            "scale-lr", b -> new TrainerCommand.ScaleLr(required(b, "factor"), reason(b)),
            "set-lr", b -> new TrainerCommand.SetLr(required(b, "lr"), reason(b)));
    private final Vertx vertx;
    private final BearerToken token;

    public TrainerControlApi(Vertx vertx, BearerToken token) {
        this.vertx = vertx;
        this.token = token;
    }

    /** Adds the route to {@code router} (which must have a body handler). */
    public void mount(Router router) {
        router.post("/v1/trainer/:action").handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String refusal = token.refusal(ctx.request().getHeader("Authorization"), null);
        if (refusal != null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            reply(ctx, 401, error(refusal));
            return;
        }
        var action = ACTIONS.get(ctx.pathParam("action"));
        if (action == null) {
            reply(ctx, 404, error("no such trainer action; POST /v1/trainer/ one of " + List.copyOf(
                    new java.util.TreeSet<>(ACTIONS.keySet()))));
            return;
        }
        TrainerCommand command;
        try {
            String body = ctx.body().asString();
            command = action.apply(body == null || body.isBlank() ? new JsonObject() : new JsonObject(body));
        } catch (DecodeException | ClassCastException e) {
            reply(ctx, 400, error("the body must be a JSON object such as {\"reason\": \"...\"}"
                    + (ctx.pathParam("action").endsWith("-lr") ? " with a number (see the API docs)" : "")));
            return;
        } catch (BadBody e) {
            reply(ctx, 400, error(e.getMessage()));
            return;
        }
        vertx.eventBus().<CommandReply>request(Addresses.TRAINER_CONTROL, command,
                new DeliveryOptions().setSendTimeout(REPLY_TIMEOUT_MILLIS)).onSuccess(m -> {
                    if (m.body() instanceof CommandReply.Refused r) {
                        reply(ctx, 409, error(r.reason()).put("update", r.update()));
                    } else {
                        var a = (CommandReply.Accepted) m.body();
                        reply(ctx, 200, new JsonObject().put("accepted", true).put("action", command.name())
                                .put("update", a.update()).put("detail", a.detail()));
                    }
                }).onFailure(e -> reply(ctx, 503, error("no trainer answered (is the run still training?)")));
    }

    private static String reason(JsonObject body) {
        String reason = body.getString("reason");
        return reason == null || reason.isBlank() ? DEFAULT_REASON : reason;
    }

    private static double required(JsonObject body, String key) {
        Object value = body.getValue(key);
        if (!(value instanceof Number n)) {
            throw new BadBody("this action needs {\"" + key + "\": <number>} in the body");
        }
        return n.doubleValue();
    }

    /** A body that is JSON but not what the action takes; its message is the answer. */
    private static final class BadBody extends RuntimeException {
        BadBody(String message) {
            super(message, null, false, false);
        }
    }

    static JsonObject error(String message) {
        return new JsonObject().put("error", message);
    }

    static void reply(RoutingContext ctx, int status, JsonObject body) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
        }
    }
}
