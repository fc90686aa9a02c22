package dev.streamtrain.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.StepMetrics;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunHistoryTest {
    private final RunHistory history = new RunHistory(new RunInfo("j", "mlp", "SGD", "StepLR", 100, 0), 3);

    @Test
    void foldsUpdatesIntoOnePointPerFlushWithTheMeanLossAndTheWallClockRate() {
        assertEquals(List.of(), history.flush(1_000)); // nothing yet
        history.step(new StepMetrics("j", 1, 32, 1.0, 0.1, 0.9, Double.NaN, 999, 0));
        history.step(new StepMetrics("j", 2, 64, 3.0, 0.2, 0.8, 2.5, 999, 0));
        JsonObject first = history.flush(1_000).get(0).getJsonObject("item");
        assertEquals(2.0, first.getDouble("loss"), 1e-12);
        assertEquals(0.2, first.getDouble("lr"), 0);
        assertEquals(0.8, first.getDouble("momentum"), 0);
        assertEquals(2L, first.getLong("u"));
        history.step(new StepMetrics("j", 3, 96, Double.NaN, 0.2, 0.8, Double.POSITIVE_INFINITY, 999, 0));
        history.step(new StepMetrics("j", 4, 128, 5.0, 0.2, 0.8, 1, 999, 0));
        List<JsonObject> deltas = history.flush(1_500);
        JsonObject second = deltas.get(0).getJsonObject("item");
        assertEquals(5.0, second.getDouble("loss"), 0); // the non-finite loss is counted, not averaged
        assertEquals(1L, second.getLong("non_finite"));
        assertEquals(64 / 0.5, second.getDouble("samples_per_s"), 1e-9); // 64 examples in 500 ms of wall time
        JsonObject summary = deltas.get(1).getJsonObject("item");
        assertEquals(4L, summary.getLong("update"));
        assertEquals(1.5 * 96 / 4, summary.getDouble("eta_s"), 1e-9); // 96 updates left at 1.5 s per 4
        history.step(new StepMetrics("j", 5, 160, Double.NaN, Double.NaN, 0.8, Double.NaN, 999, 0));
        JsonObject third = history.flush(2_000).get(0).getJsonObject("item");
        assertNull(third.getValue("loss")); // JSON has no NaN: a gap in the chart
        assertNull(third.getValue("lr"));
    }

    @Test
    void keepsABoundedHistoryAndMarksEventsOnTheTimeline() {
        for (int u = 1; u <= 5; u++) {
            history.step(new StepMetrics("j", u, 32L * u, 1.0 / u, 0.1, 0.9, Double.NaN, 0, 0));
            history.flush(u * 1000L);
        }
        history.alert(new Alert("j", "loss_spike", "warning", "the loss jumped; lower the rate", 4, 9, 4000));
        history.lrChanged(new LrChanged("j", 5, 5, 0.1, 0.05, "plateau_reduce", 0.3, 5000));
        history.checkpoint(new CheckpointSaved("j", 5, "/c/5", List.of(), 12), 5000);
        JsonObject snapshot = history.snapshot(6000);
        assertEquals(3, snapshot.getJsonArray("train").size()); // bounded to 3 points
        assertEquals(3L, snapshot.getJsonArray("train").getJsonObject(0).getLong("u")); // the newest kept
        assertEquals(List.of("alert", "lr", "checkpoint"), snapshot.getJsonArray("marker").stream()
                .map(m -> ((JsonObject) m).getString("kind")).toList());
        JsonObject alert = snapshot.getJsonArray("alert").getJsonObject(0);
        assertEquals("loss_spike", alert.getString("kind"));
        assertTrue(alert.getString("message").contains("lower the rate"));
        assertEquals(12L, snapshot.getJsonArray("checkpoint").getJsonObject(0).getLong("write_ms"));
        assertTrue(snapshot.getJsonArray("marker").getJsonObject(1).getString("label").contains("0.1 → 0.05"));
        assertEquals("StepLR", snapshot.getJsonObject("summary").getString("schedule"));
    }
}
