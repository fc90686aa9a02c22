package dev.streamtrain.app;

import java.io.PrintStream;

/**
 * One status line that refreshes in place on a terminal; elsewhere (logs, CI) the lines marked durable are printed,
 * plus the latest line at most every {@link #QUIET_PERIOD_NANOS} so a long run without durable events (no validation
 * data yet) still shows that it is alive, and a redirected output stays readable.
 */
public final class ConsoleProgress {
    private static final int BAR_WIDTH = 24;
    /** Longest silence of a non-interactive output while status lines keep coming. */
    static final long QUIET_PERIOD_NANOS = 10_000_000_000L;
    private final PrintStream out;
    private final boolean interactive;
    private final java.util.function.LongSupplier nanoClock;
    private int lastLength;
    private long lastPrinted;

    public ConsoleProgress(PrintStream out, boolean interactive) {
        this(out, interactive, System::nanoTime);
    }

    /** With an injected monotonic clock (tests). */
    ConsoleProgress(PrintStream out, boolean interactive, java.util.function.LongSupplier nanoClock) {
        this.out = out;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
        this.lastPrinted = nanoClock.getAsLong();
    }

    /** A console that prints nothing (the benchmarks' pipelines). */
    static ConsoleProgress silent() {
        return new ConsoleProgress(new PrintStream(java.io.OutputStream.nullOutputStream()), false);
    }

    /** Interactive when a console is attached. */
    public static ConsoleProgress forStdout() {
        return new ConsoleProgress(System.out, System.console() != null);
    }

    /**
     * Shows a status line.
     *
     * @param durable always print it when not interactive (others at most every quiet period)
     */
    public synchronized void update(String line, boolean durable) {
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            out.flush();
            lastLength = line.length();
        } else if (durable || nanoClock.getAsLong() - lastPrinted >= QUIET_PERIOD_NANOS) {
            out.println(line);
            lastPrinted = nanoClock.getAsLong();
        }
    }

    /** Prints a line that stays (a refreshing status line in progress is ended first, never overwritten). */
    public synchronized void line(String text) {
        finish();
        out.println(text);
        out.flush();
    }

    /** Ends the refreshing line so the next output starts on a fresh line. */
    public synchronized void finish() {
        if (interactive && lastLength > 0) {
            out.println();
        }
        lastLength = 0;
    }

    /** A text bar like {@code [#######.........]  42%}; empty when the total is unknown. */
    public static String bar(long done, long total) {
        if (total <= 0) {
            return "";
        }
        double f = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(f * BAR_WIDTH);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + String.format("%3.0f%%", f * 100);
    }
}
