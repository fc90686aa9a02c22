package dev.streamtrain.trainer.lr;

/**
 * ReduceLROnPlateau on a metric to minimise (PyTorch semantics, relative threshold) expressed as a scale on the
 * schedule: effective rate = {@code max(minLr, schedule(t) * scale)}. A pure transition {@code (state, metric) ->
 * state}; NaN counts as not improving.
 *
 * @param factor multiplier on a plateau, in (0, 1)
 * @param patience non-improving observations tolerated; the (patience+1)-th reduces
 * @param threshold relative improvement needed: better means {@code value < best * (1 - threshold)}
 * @param cooldown observations ignored after a reduction
 */
public record PlateauController(double factor, int patience, double threshold, int cooldown) {
    public PlateauController {
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
        }
        if (patience < 0 || cooldown < 0 || threshold < 0) {
            throw new IllegalArgumentException("patience, cooldown and threshold must be >= 0");
        }
    }

    /**
     * Plateau state: part of a checkpoint.
     *
     * @param best best metric seen
     * @param badObservations consecutive non-improving observations
     * @param cooldownLeft observations still to ignore
     * @param scale multiplier applied to the schedule
     * @param reductions reductions so far
     */
    public record State(double best, int badObservations, int cooldownLeft, double scale, int reductions) {
        /** The state before any observation. */
        public static State initial() {
            return new State(Double.POSITIVE_INFINITY, 0, 0, 1.0, 0);
        }
    }

    /** The state after observing {@code metric}. */
    public State observe(State s, double metric) {
        double best = s.best();
        int bad = s.badObservations();
        if (metric < best * (1 - threshold) || (best == Double.POSITIVE_INFINITY && metric < best)) {
            best = metric;
            bad = 0;
        } else {
            bad++;
        }
        int cooldownLeft = s.cooldownLeft();
        if (cooldownLeft > 0) {
            cooldownLeft--;
            bad = 0;
        }
        if (bad > patience) {
            return new State(best, 0, cooldown, s.scale() * factor, s.reductions() + 1);
        }
        return new State(best, bad, cooldownLeft, s.scale(), s.reductions());
    }
}
