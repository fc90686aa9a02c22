package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtrain.core.schedule.CyclicLR;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void printsTheRateOfEveryUpdateAndTheCycledMomentum(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("cyclic.json");
        Files.writeString(spec, """
                {"scheduler": "CyclicLR", "base_lr": 0.5, "momentum": 0.9,
                 "params": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}}""");
        Run r = run("schedule", "--spec", spec.toString(), "--steps", "12");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        CyclicLR reference = new CyclicLR(0.01, 0.1, 4, 4, "triangular", 1, "cycle", true, 0.8, 0.9);
        assertEquals(12, json.get("lr").size());
        for (int i = 0; i < 12; i++) {
            assertEquals(reference.lr(i), json.get("lr").get(i).asDouble(), 1e-15);
            assertEquals(reference.momentum(i).orElseThrow(), json.get("momentum").get(i).asDouble(), 1e-15);
        }
        Run csv = run("schedule", "--spec", spec.toString(), "--steps", "3", "--format", "csv");
        assertTrue(csv.out().startsWith("step,lr,momentum\n0,0.01,0.9\n1,0.0325,0.875"), csv.out());
    }

    @Test
    void withMetricsPrintsTheRateAfterEachObservation(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("plateau.yaml");
        Files.writeString(spec, "{scheduler: ReduceLROnPlateau, base_lr: 0.1, params: {patience: 1}}\n");
        Path metrics = dir.resolve("m.json");
        Files.writeString(metrics, "[1.0, \"NaN\", \"NaN\", 0.5, \"Infinity\", \"NaN\", 0.4]");
        Run r = run("schedule", "--spec", spec.toString(), "--metrics", metrics.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode lr = new ObjectMapper().readTree(r.out()).get("lr");
        double[] expected = {0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001}; // PyTorch: NaN never improves
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], lr.get(i).asDouble(), 1e-12, "lr[" + i + "]");
        }
        assertFalse(r.out().contains("momentum"));

        Path plain = dir.resolve("step.yaml");
        Files.writeString(plain, "{scheduler: StepLR, params: {step_size: 2}}\n");
        Run refused = run("schedule", "--spec", plain.toString(), "--metrics", metrics.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("--metrics needs a ReduceLROnPlateau spec"), refused.err());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[1.0, \"nope\"]");
        Run badMetrics = run("schedule", "--spec", spec.toString(), "--metrics", bad.toString());
        assertTrue(badMetrics.err().contains("element 1 is not a number"), badMetrics.err());
    }

    @Test
    void drawsAPngAndReportsSpecProblemsByKey(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("onecycle.yaml");
        Files.writeString(spec, "{scheduler: OneCycleLR, params: {max_lr: 0.1, total_steps: 200}}\n");
        Path png = dir.resolve("s.png");
        Run r = run("schedule", "--spec", spec.toString(), "--steps", "200", "--format", "png", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "a decodable PNG");
        assertEquals(960, img.getWidth());
        assertTrue(hasColour(img, 31, 119, 180) && hasColour(img, 255, 127, 14), "both curves drawn");

        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "{scheduler: CosineAnnealingLR, params: {T_max: 0, etamin: 1}}\n");
        Run bad = run("schedule", "--spec", broken.toString(), "--steps", "5");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("params: T_max must be >= 1, got 0"), bad.err());
        assertTrue(bad.err().contains("params.etamin: unknown key (did you mean 'params.eta_min'?)"), bad.err());
        assertEquals(2, run("schedule", "--spec", spec.toString()).code(), "--steps required without --metrics");
    }

    @Test
    void aLogAxisDrawsAnExponentialDecayAsAStraightLine(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("exp.yaml");
        Files.writeString(spec, "{scheduler: ExponentialLR, params: {gamma: 0.98}, base_lr: 1.0}\n");
        Path svg = dir.resolve("log.svg");
        assertEquals(0, run("schedule", "--spec", spec.toString(), "--steps", "301", "--format", "svg", "--log-y",
                "--out", svg.toString()).code());
        String text = Files.readString(svg);
        assertTrue(text.contains("<svg") && text.contains("<path"), "an SVG document with the curve's path");
        var table = dev.streamtrain.core.schedule.ScheduleTable.of(dev.streamtrain.core.schedule.ScheduleSpecs
                .parseDocument(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(spec.toFile()),
                        "exp").policy(), 301);
        var log = ScheduleCommand.chart(table, "exp", true);
        var plotted = log.getXYPlot().getDataset(0);
        assertEquals(301, plotted.getItemCount(0), "every step is plotted");
        for (int i = 0; i < 301; i += 50) {
            assertEquals(table.lr()[i], plotted.getYValue(0, i), 1e-15, "the plotted rate of step " + i);
        }
        double[] l = curveY(log);
        assertEquals((l[0] + l[2]) / 2, l[1], 2.0, "log axis: the midpoint of the decay lies on the chord");
        double[] n = curveY(ScheduleCommand.chart(table, "exp", false));
        assertTrue(Math.abs((n[0] + n[2]) / 2 - n[1]) > 15, "linear axis: the decay is convex, off the chord");
        assertEquals(2, run("schedule", "--spec", spec.toString(), "--steps", "5", "--log-y").code(),
                "--log-y needs --format png or svg");
    }

    /** The lr curve's mean pixel row, read from the rendered image, at a quarter, half and three quarters across. */
    private static double[] curveY(org.jfree.chart.JFreeChart chart) {
        var info = new org.jfree.chart.ChartRenderingInfo();
        BufferedImage img = chart.createBufferedImage(dev.streamtrain.app.plot.Charts.WIDTH,
                dev.streamtrain.app.plot.Charts.HEIGHT, info);
        var area = info.getPlotInfo().getDataArea();
        double[] out = new double[3];
        for (int k = 1; k <= 3; k++) {
            int x = (int) (area.getX() + area.getWidth() * k / 4);
            double sum = 0;
            int count = 0;
            for (int y = (int) area.getY() + 1; y < area.getMaxY() - 1; y++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 0xff) < 80 && ((rgb >> 8) & 0xff) > 90 && ((rgb >> 8) & 0xff) < 150
                        && (rgb & 0xff) > 150) {
                    sum += y;
                    count++;
                }
            }
            assertTrue(count > 0, "the curve crosses column " + x);
            out[k - 1] = sum / count;
        }
        return out;
    }

    private static boolean hasColour(BufferedImage img, int r, int g, int b) {
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 0xff) == r && ((rgb >> 8) & 0xff) == g && (rgb & 0xff) == b) {
                    return true;
                }
            }
        }
        return false;
    }
}
