package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.TrainingFinished;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code nothing_trained}: a bounded run ended without applying a single update, so there is no model to
 * export and the run exits non-zero. Usually the training topics held no usable records (all dead-lettered, or
 * the start position is past them) or every update was refused.
 */
public final class NothingTrainedRule implements MetricRule {
    static final String KIND = "nothing_trained";
    private final Findings findings;

    public NothingTrainedRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onFinished(TrainingFinished f) {
        if (!f.nothingTrained()) {
            return List.of();
        }
        return findings.alert(f.job(), "the run ended (" + f.stopReason() + ") with no update applied ("
                + f.skippedUpdates() + " minibatches refused): nothing is exported; check that the training topics"
                + " hold records the validation accepts (see the dead-letter topic) and the start offsets", 0,
                0, Map.of("skippedUpdates", (double) f.skippedUpdates(), "samples", (double) f.samples()));
    }
}
