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
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "--decode-millis", "20",
                "--updates", "10", "--rounds", "1");
        assertEquals(0, code, err.toString());
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
        assertTrue(bad.toString().contains("--only must be decode or train"), bad.toString());
    }
}
