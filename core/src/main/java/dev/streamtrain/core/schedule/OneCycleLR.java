package dev.streamtrain.core.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * PyTorch {@code OneCycleLR}: warm up from {@code max_lr / div_factor} to {@code max_lr} over
 * {@code pct_start * total_steps} steps, then anneal to {@code initial_lr / final_div_factor} (cosine or linear);
 * with {@code three_phase} the second phase returns to the initial rate and a third anneals to the minimum. Momentum
 * moves the opposite way between {@code max_momentum} and {@code base_momentum}. PyTorch raises past
 * {@code total_steps}; a stream has no end, so here the rate then holds at the final (minimum) rate.
 *
 * @param maxLr peak rate
 * @param totalSteps steps in the cycle
 * @param pctStart fraction of the cycle spent rising (default 0.3)
 * @param annealStrategy cos or linear
 * @param divFactor initial_lr = max_lr / div_factor (default 25)
 * @param finalDivFactor min_lr = initial_lr / final_div_factor (default 1e4)
 * @param threePhase use the three-phase variant (default false)
 * @param cycleMomentum whether momentum cycles (default true)
 * @param baseMomentum lower momentum (default 0.85)
 * @param maxMomentum upper momentum (default 0.95)
 */
public record OneCycleLR(double maxLr, long totalSteps, double pctStart, String annealStrategy, double divFactor,
        double finalDivFactor, boolean threePhase, boolean cycleMomentum, double baseMomentum, double maxMomentum)
        implements AbsoluteSchedule {
    public OneCycleLR {
        Args.positive("max_lr", maxLr);
        Args.atLeast("total_steps", totalSteps, 1);
        Args.inRange("pct_start", pctStart, 0, 1);
        if (!List.of("cos", "linear").contains(annealStrategy)) {
            throw Args.bad("anneal_strategy", annealStrategy, "cos or linear");
        }
        Args.positive("div_factor", divFactor);
        Args.positive("final_div_factor", finalDivFactor);
        Args.inRange("base_momentum", baseMomentum, 0, 1);
        Args.inRange("max_momentum", maxMomentum, 0, 1);
    }

    private record Phase(double endStep, double startLr, double endLr, double startMomentum, double endMomentum) {
    }

    private List<Phase> phases() {
        double initial = maxLr / divFactor;
        double min = initial / finalDivFactor;
        List<Phase> phases = new ArrayList<>();
        if (threePhase) {
            phases.add(new Phase(pctStart * totalSteps - 1, initial, maxLr, maxMomentum, baseMomentum));
            phases.add(new Phase(2 * pctStart * totalSteps - 2, maxLr, initial, baseMomentum, maxMomentum));
            phases.add(new Phase(totalSteps - 1, initial, min, maxMomentum, maxMomentum));
        } else {
            phases.add(new Phase(pctStart * totalSteps - 1, initial, maxLr, maxMomentum, baseMomentum));
            phases.add(new Phase(totalSteps - 1, maxLr, min, baseMomentum, maxMomentum));
        }
        return phases;
    }

    private double anneal(double start, double end, double pct) {
        return annealStrategy.equals("cos") ? Args.cosine(start, end, pct) : (end - start) * pct + start;
    }

    /** {lr, momentum} at step t, following PyTorch's phase walk. */
    private double[] at(long t) {
        List<Phase> phases = phases();
        // hold the final rate from the cycle's last step on: PyTorch raises past total_steps, and at exactly
        // total_steps its phase walk overshoots (a linear three-phase cycle of 10 steps gives -8e-4 there)
        long step = Math.min(t, totalSteps - 1);
        double start = 0;
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            if (step <= p.endStep() || i == phases.size() - 1) {
                double pct = (step - start) / (p.endStep() - start);
                return new double[] {anneal(p.startLr(), p.endLr(), pct),
                    anneal(p.startMomentum(), p.endMomentum(), pct)};
            }
            start = p.endStep();
        }
        throw new IllegalStateException("unreachable");
    }

    @Override
    public double lr(long t) {
        return at(t)[0];
    }

    @Override
    public OptionalDouble momentum(long t) {
        return cycleMomentum ? OptionalDouble.of(at(t)[1]) : OptionalDouble.empty();
    }

    @Override
    public boolean cyclesMomentum() {
        return cycleMomentum;
    }
}
