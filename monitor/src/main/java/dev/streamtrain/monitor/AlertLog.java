package dev.streamtrain.monitor;

import dev.streamtrain.core.events.Alert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log sink: one WARN line per published alert, in the product's words, e.g.
 * {@code ALERT critical loss_spike (job j, update 140, 3 findings): training loss 5.1 at update 140 is ...}. The
 * console is where an operator first looks, so every alert shows there whatever other sinks are configured.
 */
final class AlertLog {
    private static final Logger LOG = LoggerFactory.getLogger(AlertLog.class);

    private AlertLog() {
    }

    static void write(Alert alert) {
        LOG.warn("ALERT {} {} (job {}, update {}{}): {}", alert.severity(), alert.kind(), alert.job(), alert.update(),
                alert.repeats() > 1 ? ", " + alert.repeats() + " findings" : "", alert.message());
    }
}
