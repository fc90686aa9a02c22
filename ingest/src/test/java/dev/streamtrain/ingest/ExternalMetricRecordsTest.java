package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.events.ExternalMetric;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExternalMetricRecordsTest {
    private static List<ExternalMetric> parse(String json) throws ExternalMetricRecords.BadMetricRecord {
        return ExternalMetricRecords.parse("j", json.getBytes(StandardCharsets.UTF_8), 42);
    }

    private static String bad(String json) {
        return assertThrows(ExternalMetricRecords.BadMetricRecord.class, () -> parse(json), json).getMessage();
    }

    @Test
    void readsOneMetricOrSeveralInTheirOrder() throws Exception {
        assertEquals(List.of(new ExternalMetric("j", "val_loss", 0.31, 5000, -1, 42)),
                parse("{\"metric\": \"val_loss\", \"value\": 0.31, \"rows\": 5000}"));
        assertEquals(List.of(new ExternalMetric("j", "val_loss", 0.31, -1, 17, 42),
                new ExternalMetric("j", "val_auc", 0.93, -1, 17, 42),
                new ExternalMetric("j", "a_last", 1, -1, 17, 42)),
                parse("{\"metrics\": {\"val_loss\": 0.31, \"val_auc\": 0.93, \"a_last\": 1}, \"update\": 17}"));
    }

    @Test
    void nonFiniteValuesPassAsLiteralsOrAsStreamTrainWritesThem() throws Exception {
        assertTrue(Double.isNaN(parse("{\"metric\": \"val_loss\", \"value\": NaN}").get(0).value()));
        assertTrue(Double.isNaN(parse("{\"metric\": \"val_loss\", \"value\": \"NaN\"}").get(0).value()));
        assertEquals(Double.NEGATIVE_INFINITY, parse("{\"metrics\": {\"m\": \"-Infinity\"}}").get(0).value());
    }

    @Test
    void namesWhatIsWrongWithABadRecord() throws Exception {
        assertEquals("not valid JSON (line 1, column 5)", bad("not json at all"));
        assertTrue(Double.isNaN(parse("{\"metric\": \"val_loss\", \"value\": NaN}").get(0).value()),
                "bare NaN, as Python's json.dumps writes it");
        assertEquals("not a JSON object", bad("[1, 2]"));
        assertEquals("not a JSON object", bad("0.31"));
        assertEquals("no \"metric\" and \"value\", nor \"metrics\"", bad("{\"val_loss\": 0.31}"));
        assertEquals("metric 'val_loss' has no \"value\"", bad("{\"metric\": \"val_loss\"}"));
        assertEquals("\"metric\" must be a metric name", bad("{\"metric\": 3, \"value\": 1}"));
        assertTrue(bad("{\"metric\": \"val_loss\", \"value\": \"low\"}").contains("not a number"));
        assertTrue(bad("{\"metrics\": {\"a\": 1, \"b\": null}}").contains("'b' is not a number"));
        assertTrue(bad("{\"metrics\": []}").startsWith("\"metrics\" must be an object"));
        assertTrue(bad("{\"metrics\": {}}").startsWith("\"metrics\" must be an object"));
        assertTrue(bad("{\"metric\": \"m\", \"value\": 1, \"rows\": -5}").startsWith("\"rows\" must be"));
        assertTrue(bad("{\"metric\": \"m\", \"value\": 1, \"update\": 2.5}").startsWith("\"update\" must be"));
        assertTrue(bad("{\"metric\": \"m\", \"value\": 1, \"metrics\": {\"n\": 2}}").contains("not both"));
        assertThrows(ExternalMetricRecords.BadMetricRecord.class, () -> ExternalMetricRecords.parse("j", null, 0));
        assertThrows(ExternalMetricRecords.BadMetricRecord.class,
                () -> ExternalMetricRecords.parse("j", new byte[0], 0));
    }
}
