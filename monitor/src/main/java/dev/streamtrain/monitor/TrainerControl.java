package dev.streamtrain.monitor;

import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.RolledBack;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's side of the trainer's control protocol ({@link Addresses#TRAINER_CONTROL}, request/reply): sends a
 * command, logs what was asked and the trainer's answer in the product's words, and reports a command that was not
 * carried out (refused, or no answer) so its rollback budget can be given back. Also logs the trainer's rollbacks,
 * so the console shows each one.
 */
final class TrainerControl {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerControl.class);
    /** The trainer serves commands between minibatches, and a rollback restores a checkpoint: allow for both. */
    static final long REPLY_TIMEOUT_MILLIS = 60_000;
    private final EventBus bus;
    private final Consumer<TrainerCommand> notDone;

    TrainerControl(EventBus bus, Consumer<TrainerCommand> notDone) {
        this.bus = bus;
        this.notDone = notDone;
    }

    /** Sends a command; the future completes with the reply, or fails when there was none (also logged). */
    Future<CommandReply> send(TrainerCommand command, String why) {
        LOG.info("monitor asks the trainer to {} ({})", describe(command), why);
        return bus.<CommandReply>request(Addresses.TRAINER_CONTROL, command,
                new DeliveryOptions().setSendTimeout(REPLY_TIMEOUT_MILLIS)).map(m -> m.body())
                .onSuccess(reply -> answered(command, reply))
                .onFailure(failure -> {
                    LOG.warn("the trainer did not answer the request to {}: {}", describe(command), noAnswer(failure));
                    notDone.accept(command);
                });
    }

    private void answered(TrainerCommand command, CommandReply reply) {
        if (reply instanceof CommandReply.Accepted a && command instanceof TrainerCommand.Rollback) {
            LOG.debug("trainer accepted the rollback: {}", a.detail()); // the rolled_back event says it all
        } else if (reply instanceof CommandReply.Accepted a) {
            LOG.info("trainer accepted the request to {} at update {}: {}", describe(command), a.update(), a.detail());
        } else if (reply instanceof CommandReply.Refused r) {
            LOG.warn("trainer refused to {} at update {}: {}", describe(command), r.update(), r.reason());
            notDone.accept(command);
        }
    }

    /** One INFO line per rollback: from/to update, rate before and after, records quarantined or replayed. */
    static void logRolledBack(RolledBack r) {
        long records = Findings.records(r.quarantined());
        LOG.warn("ROLLED BACK from update {} to update {} ({}) after {}: lr {} -> {}, {} {} ({}){}", r.fromUpdate(),
                r.toUpdate(), r.checkpoint(), r.reason(), Findings.num(r.lrBefore()), Findings.num(r.lrAfter()),
                Findings.records(records), r.replay() ? "to retrain once at the lower rate"
                        : "quarantined to the dead-letter topic",
                dev.streamtrain.core.batch.OffsetRanges.describe(r.quarantined()),
                Double.isNaN(r.lossAfter()) ? "" : ", validation loss of the restored state "
                        + Findings.num(r.lossAfter()));
    }

    /** A command in the product's words. */
    static String describe(TrainerCommand command) {
        if (command instanceof TrainerCommand.Rollback r) {
            return r.beforeUpdate() > 0 ? "roll back to a good state before update " + r.beforeUpdate()
                    : "roll back to the newest good state";
        }
        if (command instanceof TrainerCommand.ScaleLr s) {
            return "multiply the learning rate by " + Findings.num(s.factor());
        }
        if (command instanceof TrainerCommand.SetLr s) {
            return "set the learning rate to " + Findings.num(s.lr());
        }
        if (command instanceof TrainerCommand.Stop s) {
            return "stop" + (s.restoreBest() ? " and keep the best checkpoint" : "");
        }
        return command.name();
    }

    private static String noAnswer(Throwable failure) {
        if (failure instanceof ReplyException e) {
            if (e.failureType() == ReplyFailure.NO_HANDLERS) {
                return "no trainer is running";
            }
            if (e.failureType() == ReplyFailure.TIMEOUT) {
                return "no answer within " + REPLY_TIMEOUT_MILLIS / 1000 + " s";
            }
        }
        return failure.getMessage() == null ? "the request failed" : failure.getMessage();
    }
}
