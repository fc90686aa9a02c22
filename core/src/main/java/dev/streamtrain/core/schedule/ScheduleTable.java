package dev.streamtrain.core.schedule;

import java.util.OptionalDouble;

/**
 * A schedule tabulated step by step: what {@code streamtrain schedule} prints and plots.
 *
 * @param lr {@code lr[i]}: the rate used by the i-th update, or the rate after observing {@code metrics[i]}
 * @param momentum the cycled momentum per step, or null when the schedule does not cycle it
 */
public record ScheduleTable(double[] lr, double[] momentum) {

    /** {@code lr[i]} for the i-th update, i = 0..steps-1, with no metric observed. */
    public static ScheduleTable of(LrPolicy policy, int steps) {
        LrController c = new LrController(policy);
        double[] lr = new double[steps];
        double[] momentum = policy.schedule().cyclesMomentum() ? new double[steps] : null;
        for (int i = 0; i < steps; i++) {
            lr[i] = c.lr(i);
            if (momentum != null) {
                momentum[i] = orNaN(c.momentum(i));
            }
        }
        return new ScheduleTable(lr, momentum);
    }

    /**
     * {@code lr[i]} after observing {@code metrics[i]} at step i (one observation per step), for a policy with
     * plateau control.
     *
     * @throws IllegalArgumentException when the policy has no ReduceLROnPlateau
     */
    public static ScheduleTable observing(LrPolicy policy, double[] metrics) {
        if (policy.plateau() == null) {
            throw new IllegalArgumentException("--metrics needs a ReduceLROnPlateau spec (alone or wrapping a"
                    + " schedule); this spec has no metric-driven control");
        }
        LrController c = new LrController(policy);
        double[] lr = new double[metrics.length];
        double[] momentum = policy.schedule().cyclesMomentum() ? new double[metrics.length] : null;
        for (int i = 0; i < metrics.length; i++) {
            c.observe(metrics[i], i);
            lr[i] = c.lr(i);
            if (momentum != null) {
                momentum[i] = orNaN(c.momentum(i));
            }
        }
        return new ScheduleTable(lr, momentum);
    }

    private static double orNaN(OptionalDouble v) {
        return v.isPresent() ? v.getAsDouble() : Double.NaN;
    }
}
