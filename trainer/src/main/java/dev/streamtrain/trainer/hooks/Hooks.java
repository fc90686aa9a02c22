package dev.streamtrain.trainer.hooks;

import java.util.List;
import java.util.function.Function;

/** The hooks of one loop, in order; raises an event on each until one cancels. */
public final class Hooks {
    private final List<TrainingHook> hooks = new java.util.concurrent.CopyOnWriteArrayList<>(); // tests add while it runs
    private Verdict runEnded;

    /** Adds a hook after those already there. */
    public Hooks add(TrainingHook hook) {
        hooks.add(hook);
        return this;
    }

    public Verdict beforeBatch(dev.streamtrain.core.batch.MiniBatch b) {
        return raise(h -> h.beforeBatch(b));
    }

    public Verdict afterBatch(dev.streamtrain.core.batch.MiniBatch b) {
        return raise(h -> h.afterBatch(b));
    }

    public Verdict afterValidate(dev.streamtrain.core.events.ValidationMetrics m) {
        return raise(h -> h.afterValidate(m));
    }

    public Verdict afterCheckpoint(dev.streamtrain.core.events.CheckpointSaved c) {
        return raise(h -> h.afterCheckpoint(c));
    }

    /** The first verdict that ended the run, or null while it goes on. */
    public Verdict runEnded() {
        return runEnded;
    }

    public Verdict afterLoss(LossEvent e) {
        return raise(h -> h.afterLoss(e));
    }

    public Verdict afterBackward(GradientEvent e) {
        return raise(h -> h.afterBackward(e));
    }

    public Verdict afterStep(StepEvent e) {
        return raise(h -> h.afterStep(e));
    }

    private Verdict raise(Function<TrainingHook, Verdict> call) {
        for (TrainingHook h : hooks) {
            Verdict v = call.apply(h);
            if (v.control() == Verdict.Control.CANCEL_RUN && runEnded == null) {
                runEnded = v;
            }
            if (v.cancels()) {
                return v;
            }
        }
        return Verdict.proceed();
    }
}
