package dev.streamtrain.trainer.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code golden/optim_golden.json} (PyTorch 1.13.1 trajectories; see the README beside it). */
final class GoldenTrajectories {
    private GoldenTrajectories() {
    }

    static JsonNode load() throws Exception {
        try (InputStream in = GoldenTrajectories.class.getResourceAsStream("/golden/optim_golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The cases for one PyTorch optimizer class. */
    static List<JsonNode> cases(String optimizer) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : load().get("optimizers")) {
            if (c.get("optimizer").asText().equals(optimizer)) {
                out.add(c);
            }
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    /** The problem's gradient at step t for weights w: a[i]*(w[i]-b[i]) + c*sin(0.7*t + i). */
    static double[] gradient(JsonNode problem, double[] w, int t) {
        double[] a = doubles(problem.get("a"));
        double[] b = doubles(problem.get("b"));
        double c = problem.get("c").asDouble();
        double[] g = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            g[i] = a[i] * (w[i] - b[i]) + c * Math.sin(0.7 * t + i);
        }
        return g;
    }
}
