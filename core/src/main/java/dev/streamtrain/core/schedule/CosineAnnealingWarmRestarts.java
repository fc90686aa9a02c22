package dev.streamtrain.core.schedule;

/**
 * PyTorch {@code CosineAnnealingWarmRestarts} (SGDR): cosine annealing inside each cycle, the first cycle
 * {@code T_0} steps long and each next one {@code T_mult} times longer; the rate jumps back to the peak at each
 * restart. {@code peakDecay} (a native addition, name {@code SGDR}) multiplies the peak by {@code decay^cycle}; 1
 * gives PyTorch's behaviour.
 *
 * @param baseLr peak rate of the first cycle
 * @param t0 length of the first cycle (>= 1)
 * @param tMult cycle growth factor (whole number >= 1, as in PyTorch)
 * @param etaMin minimum rate (default 0)
 * @param peakDecay peak multiplier per restart, in (0, 1] (1 for PyTorch)
 */
public record CosineAnnealingWarmRestarts(double baseLr, long t0, long tMult, double etaMin, double peakDecay)
        implements AbsoluteSchedule {
    public CosineAnnealingWarmRestarts {
        Args.positive("base_lr", baseLr);
        Args.atLeast("T_0", t0, 1);
        Args.atLeast("T_mult", tMult, 1);
        Args.nonNegative("eta_min", etaMin);
        Args.decay("decay", peakDecay);
    }

    /** Position of step {@code t}: cycle index, step inside the cycle, cycle length. */
    record Position(long cycle, long tCur, long tI) {
    }

    Position position(long t) {
        if (tMult == 1) {
            return new Position(t / t0, t % t0, t0);
        }
        long cycle = 0;
        long tI = t0;
        long tCur = t;
        while (tCur >= tI) {
            tCur -= tI;
            tI = Math.multiplyExact(tI, tMult);
            cycle++;
        }
        return new Position(cycle, tCur, tI);
    }

    @Override
    public double lr(long t) {
        Position p = position(t);
        double peak = baseLr * Math.pow(peakDecay, p.cycle());
        return etaMin + (peak - etaMin) * (1 + Math.cos(Math.PI * p.tCur() / p.tI())) / 2;
    }
}
