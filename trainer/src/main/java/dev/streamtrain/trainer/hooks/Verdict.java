package dev.streamtrain.trainer.hooks;

/**
 * A hook's answer to an event (fastai's cancel exceptions as values).
 *
 * @param control what the loop does next
 * @param reason reason code when cancelling (e.g. {@code non_finite_loss}); empty when proceeding
 * @param value the offending number, for the event published (NaN when none)
 */
public record Verdict(Control control, String reason, double value) {
    /** What the loop does after an event. */
    public enum Control {
        /** Go on. */
        PROCEED,
        /** Drop this minibatch: no backward, not trained. */
        CANCEL_BATCH,
        /** Drop the whole update: its accumulated gradients are discarded (or, after the step, undone). */
        CANCEL_UPDATE,
        /** End the run after this update. */
        CANCEL_RUN
    }

    private static final Verdict PROCEED = new Verdict(Control.PROCEED, "", Double.NaN);

    /** Go on. */
    public static Verdict proceed() {
        return PROCEED;
    }

    /** Drop the minibatch. */
    public static Verdict cancelBatch(String reason, double value) {
        return new Verdict(Control.CANCEL_BATCH, reason, value);
    }

    /** Drop (or undo) the update. */
    public static Verdict cancelUpdate(String reason, double value) {
        return new Verdict(Control.CANCEL_UPDATE, reason, value);
    }

    /** End the run once the current minibatch is handled (the run finishes as if stopped, with this reason). */
    public static Verdict cancelRun(String reason) {
        return new Verdict(Control.CANCEL_RUN, reason, Double.NaN);
    }

    /** True when the batch or the update is dropped (a run cancellation lets the current step finish). */
    public boolean cancels() {
        return control == Control.CANCEL_BATCH || control == Control.CANCEL_UPDATE;
    }
}
