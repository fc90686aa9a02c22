package dev.streamtrain.core.schedule;

import java.util.List;

/**
 * What a schedule's step counts: optimizer updates (default), samples seen, evaluations, or epochs, an epoch being a
 * configured number of updates (a stream has no epochs of its own).
 *
 * @param unit updates, samples, evaluations or epochs
 * @param epochUpdates updates per epoch (used by the epochs unit)
 */
public record ScheduleClock(String unit, long epochUpdates) {
    /** The units. */
    public static final List<String> UNITS = List.of("updates", "samples", "evaluations", "epochs");

    public ScheduleClock {
        if (!UNITS.contains(unit)) {
            throw Args.bad("unit", unit, "one of " + UNITS);
        }
        Args.atLeast("epoch_updates", epochUpdates, 1);
    }

    /** Counts optimizer updates. */
    public static ScheduleClock updates() {
        return new ScheduleClock("updates", 1);
    }

    /** The schedule step for the given counters. */
    public long step(long updates, long samples, long evaluations) {
        return switch (unit) {
            case "updates" -> updates;
            case "samples" -> samples;
            case "evaluations" -> evaluations;
            default -> updates / epochUpdates;
        };
    }
}
