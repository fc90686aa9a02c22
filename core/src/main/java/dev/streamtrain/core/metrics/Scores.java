package dev.streamtrain.core.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of one evaluation from the head's outputs, row-major {@code [rows, outputs]}: probabilities for softmax and
 * sigmoid heads, values for identity heads.
 */
public final class Scores {
    /** Probabilities are clipped to {@code [EPS, 1 - EPS]} in the log-loss, as scikit-learn does. */
    static final double EPS = 1e-15;

    private Scores() {
    }

    /**
     * Accuracy: the fraction of rows whose highest probability is the true class (softmax; ties go to the lower
     * class, as argmax does), or of output elements with {@code (p > 0.5) == (y > 0.5)} (sigmoid); NaN for identity.
     *
     * @param classIds true class per row (softmax, or single-output sigmoid); null when {@code targets} are given
     * @param targets true targets row-major (sigmoid with several outputs, identity); null with class ids
     */
    public static double accuracy(String head, int outputs, float[] out, long[] classIds, float[] targets) {
        int rows = out.length / outputs;
        if (rows == 0 || head.equals("identity")) {
            return Double.NaN;
        }
        long correct = 0;
        if (head.equals("softmax")) {
            for (int r = 0; r < rows; r++) {
                correct += argMax(out, r * outputs, outputs) == classIds[r] ? 1 : 0;
            }
            return (double) correct / rows;
        }
        for (int i = 0; i < out.length; i++) {
            double y = targets != null ? targets[i] : classIds[i];
            correct += (out[i] > 0.5) == (y > 0.5) ? 1 : 0;
        }
        return (double) correct / out.length;
    }

    /**
     * The further metrics of a head: {@code top<k>_accuracy} (softmax with more than k classes); {@code auc} and
     * {@code log_loss} (binary: one sigmoid output, or two softmax classes; the positive class is 1); {@code mae} and
     * {@code rmse} (identity, over every output).
     */
    public static Map<String, Double> extra(String head, int outputs, int topK, float[] out, long[] classIds,
            float[] targets) {
        Map<String, Double> m = new LinkedHashMap<>();
        int rows = out.length / outputs;
        if (rows == 0) {
            return m;
        }
        if (head.equals("identity")) {
            double abs = 0;
            double sq = 0;
            for (int i = 0; i < out.length; i++) {
                double d = out[i] - (targets != null ? targets[i] : classIds[i]);
                abs += Math.abs(d);
                sq += d * d;
            }
            m.put("mae", abs / out.length);
            m.put("rmse", Math.sqrt(sq / out.length));
            return m;
        }
        if (head.equals("softmax") && outputs > topK) {
            m.put("top" + topK + "_accuracy", topK(out, outputs, topK, classIds));
        }
        boolean binary = head.equals("softmax") && outputs == 2 || head.equals("sigmoid") && outputs == 1;
        if (binary) {
            double[] p = new double[rows];
            boolean[] positive = new boolean[rows];
            for (int r = 0; r < rows; r++) {
                p[r] = head.equals("softmax") ? out[r * 2 + 1] : out[r];
                positive[r] = (classIds != null ? classIds[r] : targets[r]) > 0.5;
            }
            m.put("auc", auc(p, positive));
            m.put("log_loss", logLoss(p, positive));
        }
        return m;
    }

    /** Share of rows whose true class is among the k most probable. */
    static double topK(float[] out, int outputs, int k, long[] classIds) {
        int rows = out.length / outputs;
        long hits = 0;
        for (int r = 0; r < rows; r++) {
            float truth = out[r * outputs + (int) classIds[r]];
            int higher = 0;
            for (int c = 0; c < outputs; c++) {
                if (out[r * outputs + c] > truth) {
                    higher++;
                }
            }
            hits += higher < k ? 1 : 0;
        }
        return (double) hits / rows;
    }

    /**
     * ROC AUC as the Mann-Whitney statistic, ties counted half (scikit-learn's value); NaN when only one class is
     * present.
     */
    public static double auc(double[] score, boolean[] positive) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double rankSumPositive = 0;
        long positives = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1; // 1-based ranks, ties share their mean
            for (int t = i; t <= j; t++) {
                if (positive[order[t]]) {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Mean binary cross-entropy of probabilities clipped to {@code [EPS, 1 - EPS]}. */
    public static double logLoss(double[] p, boolean[] positive) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double q = Math.min(1 - EPS, Math.max(EPS, p[i]));
            sum -= positive[i] ? Math.log(q) : Math.log(1 - q);
        }
        return sum / p.length;
    }

    private static int argMax(float[] v, int from, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (v[from + c] > v[from + best]) {
                best = c;
            }
        }
        return best;
    }
}
