package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The bench command runs every format and setup and reports ratios to its baseline (figures are not asserted). */
class BenchCommandTest {
    @Test
    void printsEveryFormatAndSetupAgainstItsBaseline() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        for (String only : new String[] {"decode", "train"}) {
            int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "--only", only,
                    "--decode-millis", "20", "--updates", "10", "--rounds", "1");
            assertEquals(0, code, err.toString());
        }
        String text = out.toString();
        assertTrue(text.matches("(?s).*\\n  safetensors +[\\d,]+ +1\\.00\\n.*"), text);
        for (String format : new String[] {"npz", "json", "csv"}) {
            assertTrue(text.matches("(?s).*\\n  " + format + " +[\\d,]+ +\\d+\\.\\d\\d\\n.*"), format + " in\n" + text);
        }
        assertTrue(text.matches("(?s).*\\n  SGD +[\\d,]+ +1\\.00\\n.*"), text);
        for (String setup : TrainBench.SETUPS.keySet()) {
            assertTrue(text.contains("\n  " + setup + " "), setup + " in\n" + text);
        }
        StringWriter bad = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(bad, true), "bench",
                "--only", "everything"));
        assertTrue(bad.toString().contains("--only: unknown part 'everything' (decode, train, pipeline or serve)"),
                bad.toString());
    }

    @Test
    void servingLatencyIsMeasuredSteadyAndAcrossSwaps() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "--only",
                "serve", "--serve-seconds", "1", "--format", "json"), err.toString());
        var serve = new io.vertx.core.json.JsonObject(out.toString()).getJsonObject("serve");
        assertEquals(0, serve.getInteger("failed"), serve.encode());
        assertTrue(serve.getInteger("swaps") >= 5 && serve.getLong("requests") > 100, serve.encode());
        assertTrue(serve.getDouble("swapsP99") >= serve.getDouble("swapsP50"), serve.encode());
    }

    @Test
    void thePipelineFiguresComeAsJsonWithEveryTarget() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "--only", "pipeline",
                "--pipeline-samples", "6400", "--rounds", "1", "--freshness-seconds", "2", "--format", "json");
        assertEquals(0, code, err.toString());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString()).path("pipeline");
        assertEquals(2, json.path("b1").size(), out.toString());
        for (var b1 : json.path("b1")) {
            assertTrue(b1.path("samplesPerSecond").asDouble() > 0 && b1.path("inMemorySamplesPerSecond").asDouble() > 0
                    && b1.path("ratio").asDouble() > 0, b1.toString());
        }
        assertEquals(32, json.path("b1").get(0).path("batchSize").asInt());
        assertEquals(256, json.path("b1").get(1).path("batchSize").asInt());
        assertTrue(json.path("b2").path("ratio").asDouble() > 0, json.toString());
        var b3 = json.path("b3");
        assertTrue(b3.path("pipeline").path("count").asInt() > 0 && b3.path("kafka").path("count").asInt() > 0,
                b3.toString());
        assertTrue(b3.path("pipeline").path("p99Millis").asDouble() >= b3.path("pipeline").path("p50Millis")
                .asDouble(), b3.toString());
        var b5 = json.path("b5");
        assertTrue(b5.path("wallMillis").asLong() > 0 && b5.path("checkpointingMillis").asLong() > 0
                && b5.path("evaluatingMillis").asLong() > 0, b5.toString());
        assertEquals(6, json.path("verdicts").size(), "every target judged: " + json.path("verdicts"));
        assertTrue(json.path("verdicts").get(0).has("met"), json.path("verdicts").toString());
        var restart = json.path("restart");
        assertTrue(restart.path("seconds").asDouble() > 0 && restart.path("resumedAt").asLong() >= 200,
                restart.toString());
    }
}
