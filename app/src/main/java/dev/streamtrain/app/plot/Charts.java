package dev.streamtrain.app.plot;

import dev.streamtrain.core.lrfind.RangeCurve;
import dev.streamtrain.core.lrfind.RangeSuggestions;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Builds the charts and writes them. Colours: the first series blue {@code (31, 119, 180)}, the second orange
 * {@code (255, 127, 14)} (matplotlib's first two, which PyTorch users know); lines 2 px wide.
 */
public final class Charts {
    /** Size of every plot (px). */
    public static final int WIDTH = 960;
    public static final int HEIGHT = 540;
    public static final Color FIRST = new Color(31, 119, 180);
    public static final Color SECOND = new Color(255, 127, 14);
    private static final Color[] MARKERS = {new Color(44, 160, 44), new Color(214, 39, 40), new Color(148, 103, 189),
        new Color(140, 86, 75)};

    private Charts() {
    }

    /** A named curve: y over x. */
    public record Series(String label, double[] x, double[] y) {
    }

    /**
     * A learning-rate schedule: the rate over the update (log10 axis with {@code logLr}), and the momentum on a
     * second axis when the schedule cycles it.
     *
     * @param momentum the cycled momentum, or null
     */
    public static JFreeChart schedule(String title, double[] lr, double[] momentum, boolean logLr) {
        double[] steps = new double[lr.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis("update"));
        plot.setRangeAxis(0, logLr ? new LogAxis("learning rate") : new NumberAxis("learning rate"));
        add(plot, 0, new Series("lr", steps, lr), 0, logLr, FIRST);
        if (momentum != null) {
            plot.setRangeAxis(1, new NumberAxis("momentum"));
            add(plot, 1, new Series("momentum", steps, momentum), 1, false, SECOND);
        }
        return chart(title, plot);
    }

    /** A range test: the smoothed (and raw) loss over the rate on a log axis, the suggestions as vertical lines. */
    public static JFreeChart rangeTest(String title, RangeCurve curve, RangeSuggestions suggestions) {
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new LogAxis("learning rate"));
        NumberAxis loss = new NumberAxis("training loss");
        plot.setRangeAxis(0, loss);
        double[] smoothed = curve.smoothed();
        add(plot, 0, new Series("loss (smoothed, fastai beta 0.98)", curve.lrs(), smoothed), 0, false, FIRST);
        add(plot, 1, new Series("loss (each update)", curve.lrs(), curve.losses()), 0, false,
                new Color(31, 119, 180, 70));
        double best = java.util.Arrays.stream(curve.losses()).filter(Double::isFinite).min().orElse(0);
        double first = java.util.Arrays.stream(smoothed).filter(Double::isFinite).findFirst().orElse(1);
        // a diverging tail would squash the curve: the axis ends a little above the starting loss
        loss.setRange(Math.max(0, best * 0.9), Math.max(first, best) * 1.15 + 1e-9); // a diverging tail is cut
        if (suggestions != null) { // vertical dashed lines, named in the legend (labels on the plot would collide)
            var legend = new org.jfree.chart.LegendItemCollection();
            legend.addAll(plot.getLegendItems());
            List<Object[]> marks = List.of(new Object[] {"minimum/10: max_lr", suggestions.minimumTenth()},
                    new Object[] {"steepest", suggestions.steepest()},
                    new Object[] {"valley", suggestions.valley()},
                    new Object[] {"loss minimum", suggestions.lossMinimum()});
            for (int i = 0; i < marks.size(); i++) {
                BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1,
                        new float[] {6, 4}, 0);
                plot.addDomainMarker(new ValueMarker((double) marks.get(i)[1], MARKERS[i], dashed));
                var item = new org.jfree.chart.LegendItem(String.format(java.util.Locale.ROOT, "%s %.3g",
                        marks.get(i)[0], (double) marks.get(i)[1]), MARKERS[i]);
                item.setLine(new java.awt.geom.Line2D.Double(-7, 0, 7, 0));
                item.setLineVisible(true);
                item.setLineStroke(dashed);
                item.setLinePaint(MARKERS[i]);
                item.setShapeVisible(false);
                legend.add(item);
            }
            plot.setFixedLegendItems(legend);
        }
        return chart(title, plot);
    }

    /** The chart as a PNG of {@link #WIDTH} x {@link #HEIGHT}. */
    public static byte[] png(JFreeChart chart) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        return out.toByteArray();
    }

    /** The chart as an SVG document of {@link #WIDTH} x {@link #HEIGHT}. */
    public static String svg(JFreeChart chart) {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        return g.getSVGDocument();
    }

    /** A line of the points with a finite y (and y &gt; 0 on a log axis), on range axis {@code axis}. */
    private static void add(XYPlot plot, int index, Series s, int axis, boolean positiveOnly, Color colour) {
        XYSeries series = new XYSeries(s.label(), false, true);
        for (int i = 0; i < s.x().length; i++) {
            if (Double.isFinite(s.y()[i]) && (!positiveOnly || s.y()[i] > 0)) {
                series.add(s.x()[i], s.y()[i]);
            }
        }
        plot.setDataset(index, new XYSeriesCollection(series));
        plot.mapDatasetToRangeAxis(index, axis);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, colour);
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(index, renderer);
    }

    private static JFreeChart chart(String title, XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(220, 220, 220));
        plot.setRangeGridlinePaint(new Color(220, 220, 220));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        return chart;
    }
}
