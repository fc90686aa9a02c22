package dev.streamtrain.trainer;

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
    /** Largest factor {@code scale-lr} accepts: a command cannot multiply the rate by more than this at once. */
    static final double MAX_SCALE = 10;
    private final TrainingLoop loop;
    private final RunState state;

    ControlCommands(TrainingLoop loop) {
        this.loop = loop;
        this.state = loop.state();
    }

    CommandReply serve(TrainerCommand command) throws IOException {
        if (command instanceof TrainerCommand.Stop s) {
            return loop.stopCommand(s);
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
            return loop.rollbackCommand(r);
        } else if (command instanceof TrainerCommand.ScaleLr s) {
            if (!(s.factor() > 0 && s.factor() <= MAX_SCALE)) {
                return refuse("scale-lr factor must be in (0, " + MAX_SCALE + "], got " + s.factor());
            }
            return rescale(state.lrScale * s.factor(), "scale_lr", s.reason());
        } else if (command instanceof TrainerCommand.SetLr s) {
            double scheduled = loop.rate().current() / state.lrScale;
            if (!(s.lr() > 0 && Double.isFinite(s.lr()))) {
                return refuse("set-lr needs a rate > 0, got " + s.lr());
            }
            if (!(scheduled > 0)) {
                return refuse("the schedule's rate is 0 now; a rate cannot be set by scaling it");
            }
            return rescale(s.lr() / scheduled, "set_lr", s.reason());
        } else if (command instanceof TrainerCommand.CheckpointNow) {
            loop.checkpoints().evaluateAndSave();
            return accept("checkpoint saved at update " + state.updates);
        }
        return predict(((TrainerCommand.Predict) command).request());
    }

    private CommandReply predict(dev.streamtrain.core.events.PredictRequest request) {
        var parts = loop.parts();
        int inputs = loop.config().model().inputs();
        if (request.features() != inputs) {
            return refuse("rows have " + request.features() + " features; the model takes " + inputs);
        }
        float[] probabilities = parts.withServedWeights(loop.config().tricks().emaForEval(),
                () -> parts.evaluator.probabilities(request.x(), request.rows(), request.features()));
        return new CommandReply.Predicted(state.updates, new PredictReply(request.rows(),
                loop.config().model().classes(), probabilities));
    }

    private CommandReply rescale(double newScale, String kind, String reason) {
        double before = loop.rate().current();
        state.lrScale = newScale;
        double after = loop.rate().current();
        loop.events().lrChanged(new LrChanged(loop.config().job(), state.updates, loop.rate().step(), before, after,
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
