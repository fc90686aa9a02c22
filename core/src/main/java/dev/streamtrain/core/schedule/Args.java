package dev.streamtrain.core.schedule;

import java.util.List;

/** Argument checks shared by the schedules: each failure names the argument, its value and the rule. */
final class Args {
    private Args() {
    }

    static IllegalArgumentException bad(String name, Object value, String rule) {
        return new IllegalArgumentException(name + " must be " + rule + ", got " + value);
    }

    static long atLeast(String name, long value, long min) {
        if (value < min) {
            throw bad(name, value, ">= " + min);
        }
        return value;
    }

    static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw bad(name, value, "> 0 and finite");
        }
        return value;
    }

    static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw bad(name, value, ">= 0 and finite");
        }
        return value;
    }

    static double inRange(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw bad(name, value, "in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A decay factor: (0, 1]. */
    static double decay(String name, double value) {
        if (!(value > 0 && value <= 1)) {
            throw bad(name, value, "in (0, 1] (a decay)");
        }
        return value;
    }

    /** Milestones: non-negative and non-decreasing (PyTorch counts a repeated milestone twice). */
    static List<Long> milestones(String name, List<Long> milestones) {
        for (int i = 0; i < milestones.size(); i++) {
            if (milestones.get(i) < 0) {
                throw bad(name, milestones, "non-negative");
            }
            if (i > 0 && milestones.get(i) < milestones.get(i - 1)) {
                throw bad(name, milestones, "increasing");
            }
        }
        return List.copyOf(milestones);
    }

    /** Number of milestones {@code <= t} (Python's bisect_right). */
    static int passed(List<Long> milestones, long t) {
        int n = 0;
        while (n < milestones.size() && milestones.get(n) <= t) {
            n++;
        }
        return n;
    }

    /** Half-cosine from {@code start} (pct 0) to {@code end} (pct 1). */
    static double cosine(double start, double end, double pct) {
        return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    }
}
