package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.IngestMetrics;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.UpdateRejected;
import dev.streamtrain.core.events.ValidationMetrics;
import java.util.List;

/**
 * One diagnosis over the event stream (a kind of {@link dev.streamtrain.core.config.RuleCatalog}): a small class that
 * holds its own state and answers each event with its findings, usually none. Rules are pure apart from that state:
 * they read time only from the {@link java.time.Clock} they were built with, so scripted streams test them exactly.
 *
 * <p>Every method defaults to "nothing found", so a rule overrides only the events it reads. Findings are returned
 * unthrottled; {@link AlertThrottle} and the sinks come after.
 */
public interface MetricRule {
    /** The alert kind this rule raises (its {@code monitor.rules} key). */
    String kind();

    /** After every optimizer update (also a refused one: its loss is then NaN or infinite). */
    default List<Alert> onStep(StepMetrics metrics) {
        return List.of();
    }

    /** After every evaluation on the validation set. */
    default List<Alert> onValidation(ValidationMetrics metrics) {
        return List.of();
    }

    /** Every ingest report. */
    default List<Alert> onIngest(IngestMetrics metrics) {
        return List.of();
    }

    /** A trainer guard refused an update. */
    default List<Alert> onRejected(UpdateRejected rejected) {
        return List.of();
    }

    /** Plateau control lowered or restarted the learning rate. */
    default List<Alert> onLrChanged(LrChanged changed) {
        return List.of();
    }

    /** A bounded run ended. */
    default List<Alert> onFinished(TrainingFinished finished) {
        return List.of();
    }
}
