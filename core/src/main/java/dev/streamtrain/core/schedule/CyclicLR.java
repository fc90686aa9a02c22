package dev.streamtrain.core.schedule;

import java.util.OptionalDouble;

/**
 * PyTorch {@code CyclicLR}: the rate moves linearly from {@code base_lr} up to {@code max_lr} in
 * {@code step_size_up} steps and back down in {@code step_size_down}, repeatedly. The amplitude is scaled per
 * {@code mode}: {@code triangular} (1), {@code triangular2} (halved each cycle), {@code exp_range}
 * ({@code gamma^t}), evaluated per cycle or per step ({@code scale_mode}; PyTorch's default: cycle for the
 * triangular modes, iterations for exp_range). With {@code cycle_momentum} the momentum moves inversely between
 * {@code max_momentum} and {@code base_momentum}.
 *
 * @param baseLr lower rate
 * @param maxLr upper rate
 * @param stepSizeUp steps of the rising half (default 2000)
 * @param stepSizeDown steps of the falling half (default: step_size_up)
 * @param mode triangular, triangular2 or exp_range
 * @param gamma exp_range base (default 1.0)
 * @param scaleMode cycle or iterations
 * @param cycleMomentum whether momentum cycles (default true)
 * @param baseMomentum lower momentum (default 0.8)
 * @param maxMomentum upper momentum (default 0.9)
 */
public record CyclicLR(double baseLr, double maxLr, long stepSizeUp, long stepSizeDown, String mode, double gamma,
        String scaleMode, boolean cycleMomentum, double baseMomentum, double maxMomentum) implements AbsoluteSchedule {
    public CyclicLR {
        Args.positive("base_lr", baseLr);
        Args.positive("max_lr", maxLr);
        Args.atLeast("step_size_up", stepSizeUp, 1);
        Args.atLeast("step_size_down", stepSizeDown, 1);
        if (!java.util.List.of("triangular", "triangular2", "exp_range").contains(mode)) {
            throw Args.bad("mode", mode, "one of triangular, triangular2, exp_range");
        }
        Args.positive("gamma", gamma);
        if (!java.util.List.of("cycle", "iterations").contains(scaleMode)) {
            throw Args.bad("scale_mode", scaleMode, "cycle or iterations");
        }
        Args.inRange("base_momentum", baseMomentum, 0, 1);
        Args.inRange("max_momentum", maxMomentum, 0, 1);
    }

    /** PyTorch's default scale_mode for a mode. */
    public static String defaultScaleMode(String mode) {
        return "exp_range".equals(mode) ? "iterations" : "cycle";
    }

    private double scaleFactor(long t) {
        double total = stepSizeUp + stepSizeDown;
        double stepRatio = stepSizeUp / total;
        double cycle = Math.floor(1 + t / total);
        double x = 1.0 + t / total - cycle;
        return x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    }

    private double amplitude(long t) {
        double cycle = Math.floor(1 + t / (double) (stepSizeUp + stepSizeDown));
        double x = scaleMode.equals("cycle") ? cycle : t;
        return switch (mode) {
            case "triangular" -> 1.0;
            case "triangular2" -> 1 / Math.pow(2, x - 1);
            default -> Math.pow(gamma, x);
        };
    }

    @Override
    public double lr(long t) {
        return baseLr + (maxLr - baseLr) * scaleFactor(t) * amplitude(t);
    }

    @Override
    public OptionalDouble momentum(long t) {
        if (!cycleMomentum) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(maxMomentum - (maxMomentum - baseMomentum) * scaleFactor(t) * amplitude(t));
    }

    @Override
    public boolean cyclesMomentum() {
        return cycleMomentum;
    }
}
