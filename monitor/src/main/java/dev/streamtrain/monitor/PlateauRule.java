package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.LrChanged;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code plateau}: the learning-rate control ({@code ReduceLROnPlateau}, or restart on plateau) found that the
 * validation metric stopped improving and lowered or restarted the rate. Informational: this is the control doing
 * its job; frequent plateaus mean the rate is too large for this stage or the model has converged (early stopping).
 */
public final class PlateauRule implements MetricRule {
    static final String KIND = "plateau";
    private final Findings findings;

    public PlateauRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onLrChanged(LrChanged c) {
        String what = switch (c.reason()) {
            case "plateau_restart" -> "restarted the learning rate";
            case "plateau_reduce" -> "reduced the learning rate";
            default -> "changed the learning rate";
        };
        return findings.alert(c.job(), "validation metric plateaued at " + Findings.num(c.metric()) + " (update "
                + c.update() + "): the learning-rate control " + what + " from " + Findings.num(c.oldLr()) + " to "
                + Findings.num(c.newLr()) + "; if plateaus keep coming, the model has likely converged: consider"
                + " early stopping", c.update(), c.metric(),
                Map.of("oldLr", c.oldLr(), "newLr", c.newLr(), "metric", c.metric()));
    }
}
