package dev.streamtrain.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the monitor does about an alert (section {@code remediation:}). How a rollback is carried out is
 * {@link RollbackSettings}.
 *
 * @param actions alert kind to action: {@code none}, {@code reduce_lr}, {@code rollback} or {@code stop}; kinds not
 *     named take {@code none}
 * @param reduceLrFactor the rate multiplier of {@code reduce_lr}, in (0, 1)
 * @param cooldownUpdates after an action, alerts are not acted on for this many updates (they are still published)
 * @param maxRollbacks at most this many rollbacks within {@code windowUpdates}; one more stops the run with a
 *     critical alert and a non-zero exit
 * @param windowUpdates the window of the rollback budget, in updates
 */
public record RemediationSettings(Map<String, String> actions, double reduceLrFactor, long cooldownUpdates,
        int maxRollbacks, long windowUpdates) {
    /** The actions a kind can map to. */
    public static final List<String> ACTIONS = List.of("none", "reduce_lr", "rollback", "stop");

    /**
     * Defaults: roll back on broken numbers, lower the rate on early divergence. A loss spike only alerts: one noisy
     * minibatch is common in real streams, and a rollback throws away every minibatch since the last good checkpoint
     * (README "Keeping a run healthy" says how to make spikes roll back).
     */
    public static final Map<String, String> DEFAULT_ACTIONS = Map.of("non_finite_loss", "rollback",
            "non_finite_gradient", "rollback", "non_finite_parameters", "rollback", "divergence", "reduce_lr");

    public RemediationSettings {
        actions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(actions));
    }

    /** The action for an alert kind. */
    public String actionFor(String kind) {
        return actions.getOrDefault(kind, "none");
    }

    /** Reads {@code remediation}; problems go to the reader. */
    static RemediationSettings read(ConfigReader r) {
        Map<String, String> actions = new LinkedHashMap<>();
        for (String kind : RuleCatalog.kinds()) {
            String def = DEFAULT_ACTIONS.getOrDefault(kind, "none");
            actions.put(kind, r.choice("actions." + kind, def, ACTIONS));
        }
        return new RemediationSettings(actions,
                r.decimal("reduce-lr-factor", 0.5, 0, 0.999999, false),
                r.integer("cooldown-updates", 20, 0, Long.MAX_VALUE),
                (int) r.integer("max-rollbacks", 3, 0, 1_000_000),
                r.integer("window-updates", 1000, 1, Long.MAX_VALUE));
    }
}
