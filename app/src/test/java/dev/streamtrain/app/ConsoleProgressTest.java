package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    @Test
    void aRedirectedOutputGetsDurableLinesAndAHeartbeatEveryQuietPeriod() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, now::get);
        p.update("step 1", false);
        p.update("eval 1", true);
        now.addAndGet(ConsoleProgress.QUIET_PERIOD_NANOS - 1);
        p.update("step 2", false);
        now.addAndGet(1);
        p.update("step 3", false);
        p.update("step 4", false);
        assertEquals("eval 1\nstep 3\n", bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"),
                "silent steps are dropped, except one per quiet period");
    }
}
