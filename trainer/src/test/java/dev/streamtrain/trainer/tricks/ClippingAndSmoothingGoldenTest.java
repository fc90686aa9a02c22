package dev.streamtrain.trainer.tricks;

import dev.streamtrain.trainer.loss.SmoothedCrossEntropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clipping and label smoothing against PyTorch 1.13.1 (golden/optim_golden.json), float64 on the DJL engine. */
class ClippingAndSmoothingGoldenTest {
    private static final double TOL = 1e-12;

    static JsonNode golden() throws Exception {
        try (InputStream in = ClippingAndSmoothingGoldenTest.class.getResourceAsStream("/golden/optim_golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** A JSON number array of rank 1 or 2 as a float64 NDArray. */
    static NDArray array(NDManager m, JsonNode n) {
        if (n.get(0).isArray()) {
            int rows = n.size();
            int cols = n.get(0).size();
            double[] v = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    v[r * cols + c] = n.get(r).get(c).asDouble();
                }
            }
            return m.create(v, new Shape(rows, cols));
        }
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).asDouble();
        }
        return m.create(v);
    }

    @Test
    void clippingMatchesPyTorch() throws Exception {
        int cases = 0;
        for (JsonNode c : golden().get("clipping")) {
            try (NDManager m = NDManager.newBaseManager()) {
                List<NDArray> grads = new ArrayList<>();
                c.get("grads_before").forEach(g -> grads.add(array(m, g)));
                if (c.has("clip_value")) {
                    GradientClipping.clipByValue(grads, c.get("clip_value").asDouble());
                } else {
                    double p = c.get("norm_type").isTextual() ? Double.POSITIVE_INFINITY : c.get("norm_type").asDouble();
                    double total = GradientClipping.clipByNorm(grads, c.get("max_norm").asDouble(), p);
                    assertEquals(c.get("returned_total_norm").asDouble(), total, TOL, c.get("name").asText());
                }
                for (int i = 0; i < grads.size(); i++) {
                    double[] expected = array(m, c.get("grads_after").get(i)).toDoubleArray();
                    double[] actual = grads.get(i).toDoubleArray();
                    for (int k = 0; k < expected.length; k++) {
                        assertEquals(expected[k], actual[k], TOL, c.get("name").asText() + " tensor " + i + "[" + k + "]");
                    }
                }
                cases++;
            }
        }
        assertEquals(5, cases);
    }

    @Test
    void labelSmoothingMatchesPyTorch() throws Exception {
        int cases = 0;
        for (JsonNode c : golden().get("losses")) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray logits = array(m, c.get("logits"));
                long[] targets = new long[c.get("targets").size()];
                for (int i = 0; i < targets.length; i++) {
                    targets[i] = c.get("targets").get(i).asLong();
                }
                double loss = new SmoothedCrossEntropy(c.get("label_smoothing").asDouble())
                        .evaluate(new NDList(m.create(targets)), new NDList(logits)).getDouble();
                assertEquals(c.get("loss").asDouble(), loss, TOL, c.get("name").asText());
                cases++;
            }
        }
        assertEquals(3, cases);
        assertThrows(IllegalArgumentException.class, () -> new SmoothedCrossEntropy(1.0));
    }

    @Test
    void askingForAGpuWithoutCudaSaysHowToSupplyIt() {
        assertEquals(ai.djl.Device.cpu(), Devices.select("cpu"));
        if (ai.djl.engine.Engine.getInstance().getGpuCount() > 0) {
            assertEquals(ai.djl.Device.gpu(), Devices.select("gpu"));
            assertEquals(ai.djl.Device.gpu(), Devices.select("auto"));
            return;
        }
        var e = assertThrows(IllegalStateException.class, () -> Devices.select("gpu"));
        assertEquals(true, e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
        assertEquals(ai.djl.Device.cpu(), Devices.select("auto"), "no GPU: auto picks the CPU");
    }
}
