package dev.streamtrain.core.events;

import java.util.Map;

/**
 * {@code schedule.auto-range}: the range test run before training and the bounds it filled in the job's schedule
 * ({@code lr_range_found}).
 *
 * @param job job name
 * @param sweep the sweep in words (e.g. {@code 100 updates, lr 1e-07 -> 10 (exp)})
 * @param stopReason how the sweep ended ({@code diverged at lr 4.7 (update 96 of 100)}, ...)
 * @param suggestions the suggested rates by name ({@code steepest}, {@code minimum_tenth}, {@code valley},
 *     {@code loss_minimum})
 * @param filled the schedule arguments set, by spec path (e.g. {@code schedule.params.schedule.params.max_lr})
 * @param reused true when a restarted run took the range recorded beside its checkpoints instead of sweeping again
 * @param timeMillis when
 */
public record LrRangeFound(String job, String sweep, String stopReason, Map<String, Double> suggestions,
        Map<String, Double> filled, boolean reused, long timeMillis) implements StreamEvent {
    public LrRangeFound {
        suggestions = Map.copyOf(suggestions);
        filled = Map.copyOf(filled);
    }

    @Override
    public String eventType() {
        return "lr_range_found";
    }
}
