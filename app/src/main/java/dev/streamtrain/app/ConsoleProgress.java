package dev.streamtrain.app;

import java.io.PrintStream;

/**
 * One status line that refreshes in place on a terminal; elsewhere (logs, CI) only the lines marked durable are
 * printed, so a redirected output stays readable.
 */
public final class ConsoleProgress {
    private static final int BAR_WIDTH = 24;
    private final PrintStream out;
    private final boolean interactive;
    private int lastLength;

    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** Interactive when a console is attached. */
    public static ConsoleProgress forStdout() {
        return new ConsoleProgress(System.out, System.console() != null);
    }

    /**
     * Shows a status line.
     *
     * @param durable also print it when not interactive
     */
    public synchronized void update(String line, boolean durable) {
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            out.flush();
            lastLength = line.length();
        } else if (durable) {
            out.println(line);
        }
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
