package dev.streamtrain.monitor;

import static dev.streamtrain.monitor.Streams.JOB;
import static dev.streamtrain.monitor.Streams.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.TrainerTime;
import dev.streamtrain.core.events.TrainingFinished;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plateau and nothing-trained: rules on single events. */
class EventRulesTest {
    private final TestClock clock = new TestClock(77);

    @Test
    void aPlateauReductionIsAnInfoAlertWithTheRates() {
        var rule = new PlateauRule(rule("plateau", ""), clock);
        List<Alert> alerts = rule.onLrChanged(new LrChanged(JOB, 600, 600, 0.1, 0.01, "plateau_reduce", 0.42, 0));
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals("info", a.severity());
        assertEquals(600, a.update());
        assertEquals(0.42, a.value());
        assertEquals(0.01, a.evidence().get("newLr"));
        assertTrue(a.message().contains("reduced the learning rate from 0.1 to 0.01"), a.message());
        assertTrue(rule.onLrChanged(new LrChanged(JOB, 900, 900, 0.01, 0.1, "plateau_restart", 0.4, 0)).get(0)
                .message().contains("restarted"));
    }

    private static TrainingFinished finished(long updates) {
        return new TrainingFinished(JOB, updates, updates * 32, 3, new TrainerTime(1000, 0, 0, 0, 0), null, "/ckpt",
                List.of(), "end_of_stream");
    }

    @Test
    void aRunThatTrainedNothingIsCritical() {
        var rule = new NothingTrainedRule(rule("nothing_trained", ""), clock);
        assertTrue(rule.onFinished(finished(10)).isEmpty());
        List<Alert> alerts = rule.onFinished(finished(0));
        assertEquals(1, alerts.size());
        assertEquals("critical", alerts.get(0).severity());
        assertTrue(alerts.get(0).message().contains("no update applied"), alerts.get(0).message());
        assertTrue(alerts.get(0).message().contains("end_of_stream"), alerts.get(0).message());
        assertEquals(77, alerts.get(0).timeMillis());
    }
}
