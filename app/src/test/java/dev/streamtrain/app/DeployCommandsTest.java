package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code serve} and {@code export} as a user meets them: help, and errors in the product's words. */
class DeployCommandsTest {
    @Test
    void helpExplainsAndAMissingTopicIsNamed() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "serve", "--help"));
        assertTrue(out.toString().contains("--from-topic") && out.toString().contains("hot-swap"), out.toString());

        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "serve", "--from-topic",
                "nosuchjob.models", "--bootstrap-servers", AppTestBroker.broker().bootstrapServers(), "--port", "0");
        assertEquals(1, code);
        assertTrue(err.toString().contains("cannot follow nosuchjob.models: topic nosuchjob.models does not exist"),
                err.toString());
        assertTrue(!err.toString().contains("Exception"), err.toString());
    }

    @Test
    void exportHelpsAndNamesAMissingCheckpoint() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "export", "--help"));
        assertTrue(out.toString().contains("--checkpoint") && out.toString().contains("reference"), out.toString());
        assertEquals(1, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "export",
                "--checkpoint", "no/such/ckpt-000000000001", "--out", "x.onnx"));
        assertTrue(err.toString().contains("error: no checkpoint directory at no/such/ckpt-000000000001"),
                err.toString());
    }
}
