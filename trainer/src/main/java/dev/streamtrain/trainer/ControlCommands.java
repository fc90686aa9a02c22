package dev.streamtrain.trainer;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.PredictReply;
import java.io.IOException;

/**
 * Serves one {@link TrainerCommand} on the trainer thread, between minibatches: accepts it at the current update or
 * refuses it with a reason in the product's words.
 */
final class ControlCommands {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlCommands.class);
    /** Largest factor {@code scale-lr} accepts: a command cannot multiply the rate by more than this at once. */
    static final double MAX_SCALE = 10;
    /** A command the loop itself carries out (it ends or rewinds the run). */
    interface LoopAction<C extends TrainerCommand> {
        CommandReply apply(C command) throws IOException;
    }

    private final JobConfig cfg;
    private final RunState state;
    private final RateControl rate;
    private final Checkpoints checkpoints;
    private final ModelParts parts;
    private final TrainerEvents events;
    private final LoopAction<TrainerCommand.Stop> stop;
    private final LoopAction<TrainerCommand.Rollback> rollback;

    ControlCommands(JobConfig cfg, RunState state, RateControl rate, Checkpoints checkpoints, ModelParts parts,
            TrainerEvents events, LoopAction<TrainerCommand.Stop> stop, LoopAction<TrainerCommand.Rollback> rollback) {
        this.cfg = cfg;
        this.state = state;
        this.rate = rate;
        this.checkpoints = checkpoints;
        this.parts = parts;
        this.events = events;
        this.stop = stop;
        this.rollback = rollback;
    }

    /** Queues a command for the loop thread; the reply completes once it is served (a failure is a refusal). */
    java.util.concurrent.CompletableFuture<CommandReply> submit(TrainerCommand command,
            java.util.Queue<Runnable> loopThread) {
        var reply = new java.util.concurrent.CompletableFuture<CommandReply>();
        loopThread.add(() -> {
            try {
                reply.complete(serve(command));
            } catch (RuntimeException | IOException e) {
                LOG.error("command {} failed at update {}", command.name(), state.updates, e);
                reply.complete(refuse(command.name() + " failed: "
                        + dev.streamtrain.core.events.Failures.describe(e)));
            }
        });
        return reply;
    }

    CommandReply serve(TrainerCommand command) throws IOException {
        if (state.finished && !(command instanceof TrainerCommand.Predict)) {
            return refuse("training already finished"); // predictions still serve deploy's verification
        }
        if (command instanceof TrainerCommand.Stop s) {
            return stop.apply(s);
        } else if (command instanceof TrainerCommand.Pause p) {
            if (state.paused) {
                return refuse("already paused");
            }
            state.paused = true;
            return accept("paused (" + p.reason() + "); ingest pauses when the queue fills");
        } else if (command instanceof TrainerCommand.Resume) {
            if (!state.paused) {
                return refuse("not paused");
            }
            state.paused = false;
            return accept("resumed");
        } else if (command instanceof TrainerCommand.Rollback r) {
            return rollback.apply(r);
        } else if (command instanceof TrainerCommand.ScaleLr s) {
            if (!(s.factor() > 0 && s.factor() <= MAX_SCALE)) {
                return refuse("scale-lr factor must be in (0, " + MAX_SCALE + "], got " + s.factor());
            }
            return rescale(state.lrScale * s.factor(), "scale_lr", s.reason());
        } else if (command instanceof TrainerCommand.SetLr s) {
            double scheduled = rate.current() / state.lrScale;
            if (!(s.lr() > 0 && Double.isFinite(s.lr()))) {
                return refuse("set-lr needs a rate > 0, got " + s.lr());
            }
            if (!(scheduled > 0)) {
                return refuse("the schedule's rate is 0 now; a rate cannot be set by scaling it");
            }
            return rescale(s.lr() / scheduled, "set_lr", s.reason());
        } else if (command instanceof TrainerCommand.CheckpointNow) {
            checkpoints.evaluateAndSave();
            return checkpoints.awaitDurable() ? accept("checkpoint saved at update " + state.updates)
                    : refuse("the checkpoint at update " + state.updates + " could not be written");
        }
        return predict(((TrainerCommand.Predict) command).request());
    }

    private CommandReply predict(dev.streamtrain.core.events.PredictRequest request) {
        int inputs = cfg.model().inputs();
        if (request.features() != inputs) {
            return refuse("rows have " + request.features() + " features; the model takes " + inputs);
        }
        float[] probabilities = parts.withServedWeights(cfg.tricks().emaForEval(),
                () -> parts.evaluator.probabilities(request.x(), request.rows(), request.features()));
        return new CommandReply.Predicted(state.updates, new PredictReply(request.rows(),
                cfg.model().classes(), probabilities));
    }

    private CommandReply rescale(double newScale, String kind, String reason) {
        double before = rate.current();
        state.lrScale = newScale;
        double after = rate.current();
        events.lrChanged(new LrChanged(cfg.job(), state.updates, rate.step(), before, after,
                kind, Double.NaN, System.currentTimeMillis()));
        return accept(String.format("lr %.4g -> %.4g (%s)", before, after, reason));
    }

    private CommandReply accept(String detail) {
        return new CommandReply.Accepted(state.updates, detail);
    }

    private CommandReply refuse(String reason) {
        return new CommandReply.Refused(state.updates, reason);
    }
}
