package dev.streamtrain.app.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A small PNG line chart: one series on the left axis and an optional second series on a right axis, with grid,
 * ticks, labels and a legend. Java2D only (headless), no chart library.
 */
public final class LinePlot {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int LEFT = 90;
    private static final int RIGHT = 90;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color LEFT_COLOR = new Color(31, 119, 180);
    private static final Color RIGHT_COLOR = new Color(255, 127, 14);

    /**
     * A series of y values at x = 0, 1, 2, ...
     *
     * @param label legend and axis label
     * @param values y values (NaN values are skipped)
     */
    public record Series(String label, double[] values) {
    }

    private LinePlot() {
    }

    /** Draws the chart with linear axes and writes it as PNG. */
    public static void write(String title, String xLabel, Series left, Series right, OutputStream out)
            throws IOException {
        write(title, xLabel, left, right, false, out);
    }

    /**
     * Draws the chart and writes it as PNG; with {@code logLeft} the left series is drawn on a log10 axis (an
     * exponential decay becomes a straight line; non-positive values are skipped).
     */
    public static void write(String title, String xLabel, Series left, Series right, boolean logLeft,
            OutputStream out) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int steps = left.values().length;
            double[] leftValues = logLeft ? log10(left.values()) : left.values();
            double[] yl = range(leftValues);
            Frame f = new Frame(steps, yl);
            grid(g, f, xLabel, left.label() + (logLeft ? " (log scale)" : ""), LEFT_COLOR,
                    logLeft ? v -> Math.pow(10, v) : v -> v);
            curve(g, f, leftValues, yl, LEFT_COLOR);
            if (right != null) {
                double[] yr = range(right.values());
                rightAxis(g, f, yr, right.label());
                curve(g, f, right.values(), yr, RIGHT_COLOR);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, TOP - 20);
            legend(g, left, right);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", out);
    }

    private record Frame(int steps, double[] yRange) {
        /** Sub-pixel x of a step (curves); {@link #ix} rounds it (grid, text). */
        double x(double step) {
            return LEFT + step / Math.max(1, steps - 1) * (WIDTH - LEFT - RIGHT);
        }

        int ix(double step) {
            return (int) Math.round(x(step));
        }

        static double y(double v, double[] range) {
            double f = (v - range[0]) / (range[1] - range[0]);
            return HEIGHT - BOTTOM - f * (HEIGHT - TOP - BOTTOM);
        }

        static int iy(double v, double[] range) {
            return (int) Math.round(y(v, range));
        }
    }

    private static double[] range(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min == Double.POSITIVE_INFINITY) {
            return new double[] {0, 1};
        }
        if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
            double pad = Math.max(Math.abs(max) * 0.1, 1e-6);
            return new double[] {min - pad, max + pad};
        }
        double pad = (max - min) * 0.05;
        return new double[] {Math.max(min - pad, min >= 0 ? 0 : min - pad), max + pad};
    }

    private static double[] log10(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i] > 0 ? Math.log10(values[i]) : Double.NaN;
        }
        return out;
    }

    private static void grid(Graphics2D g, Frame f, String xLabel, String yLabel, Color yColor,
            java.util.function.DoubleUnaryOperator tickValue) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            double v = f.yRange()[0] + (f.yRange()[1] - f.yRange()[0]) * i / 5;
            int y = Frame.iy(v, f.yRange());
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(yColor);
            String s = format(tickValue.applyAsDouble(v));
            g.drawString(s, LEFT - 8 - fm.stringWidth(s), y + 4);
        }
        for (int i = 0; i <= 8; i++) {
            long step = Math.round((double) (f.steps() - 1) * i / 8);
            int x = f.ix(step);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
            g.setColor(Color.DARK_GRAY);
            String s = Long.toString(step);
            g.drawString(s, x - fm.stringWidth(s) / 2, HEIGHT - BOTTOM + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        g.drawString(xLabel, (WIDTH - fm.stringWidth(xLabel)) / 2, HEIGHT - 15);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.setColor(yColor);
        rotated.drawString(yLabel, -(HEIGHT + fm.stringWidth(yLabel)) / 2, 20);
        rotated.dispose();
    }

    private static void rightAxis(Graphics2D g, Frame f, double[] range, String label) {
        FontMetrics fm = g.getFontMetrics();
        g.setColor(RIGHT_COLOR);
        for (int i = 0; i <= 5; i++) {
            double v = range[0] + (range[1] - range[0]) * i / 5;
            g.drawString(format(v), WIDTH - RIGHT + 8, Frame.iy(v, range) + 4);
        }
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(Math.PI / 2);
        rotated.drawString(label, (HEIGHT - fm.stringWidth(label)) / 2, -(WIDTH - 15));
        rotated.dispose();
    }

    private static void curve(Graphics2D g, Frame f, double[] values, double[] range, Color color) {
        Path2D.Double path = new Path2D.Double();
        boolean pen = false;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                pen = false;
                continue;
            }
            double x = f.x(i);
            double y = Frame.y(values[i], range);
            if (pen) {
                path.lineTo(x, y);
            } else {
                path.moveTo(x, y);
                pen = true;
            }
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        g.draw(path);
        g.setStroke(new BasicStroke(1f));
    }

    private static void legend(Graphics2D g, Series left, Series right) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = WIDTH - RIGHT - 200;
        int y = TOP - 22;
        g.setColor(LEFT_COLOR);
        g.fillRect(x, y - 9, 18, 4);
        g.drawString(left.label(), x + 24, y - 3);
        if (right != null) {
            g.setColor(RIGHT_COLOR);
            g.fillRect(x + 100, y - 9, 18, 4);
            g.drawString(right.label(), x + 124, y - 3);
        }
    }

    private static String format(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e4)) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
