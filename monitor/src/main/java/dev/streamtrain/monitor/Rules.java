package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.config.RuleCatalog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Builds the monitor's rules from the job file: one {@link MetricRule} per enabled kind of {@link RuleCatalog}, in
 * catalog order, each with its configured keys and severity. Disabled rules are not created at all.
 */
public final class Rules {
    private static final Map<String, BiFunction<MonitorSettings.Rule, Clock, MetricRule>> BY_KIND = Map.ofEntries(
            Map.entry(NonFiniteLossRule.KIND, NonFiniteLossRule::new),
            Map.entry(GuardRefusalRule.GRADIENT, (s, c) -> new GuardRefusalRule(GuardRefusalRule.GRADIENT, s, c)),
            Map.entry(GuardRefusalRule.PARAMETERS, (s, c) -> new GuardRefusalRule(GuardRefusalRule.PARAMETERS, s, c)),
            Map.entry(LossSpikeRule.KIND, LossSpikeRule::new),
            Map.entry(DivergenceRule.KIND, DivergenceRule::new),
            Map.entry(EarlyFlatteningRule.KIND, EarlyFlatteningRule::new),
            Map.entry(SlowDescentRule.KIND, SlowDescentRule::new),
            Map.entry(OverfittingRule.KIND, OverfittingRule::new),
            Map.entry(PlateauRule.KIND, PlateauRule::new),
            Map.entry(StalledIngestRule.KIND, StalledIngestRule::new),
            Map.entry(ConsumerLagRule.KIND, ConsumerLagRule::new),
            Map.entry(DeadLetterRateRule.KIND, DeadLetterRateRule::new),
            Map.entry(NothingTrainedRule.KIND, NothingTrainedRule::new));

    private Rules() {
    }

    /**
     * The enabled rules of a job's monitor settings.
     *
     * @param settings the {@code monitor} section (every catalog kind present, defaults filled in)
     * @param clock the only source of time for the rules (a fixed or advancing clock in tests)
     * @throws IllegalStateException when the settings name a kind this monitor has no rule for
     */
    public static List<MetricRule> enabled(MonitorSettings settings, Clock clock) {
        List<MetricRule> rules = new ArrayList<>();
        for (MonitorSettings.Rule rule : settings.rules().values()) {
            if (!rule.enabled()) {
                continue;
            }
            var make = BY_KIND.get(rule.kind());
            if (make == null) {
                throw new IllegalStateException("the monitor has no rule for alert kind " + rule.kind());
            }
            rules.add(make.apply(rule, clock));
        }
        return rules;
    }

    /** The kinds this monitor can build (equal to {@link RuleCatalog#kinds()}; a test holds them together). */
    static List<String> kinds() {
        return RuleCatalog.kinds().stream().filter(BY_KIND::containsKey).toList();
    }
}
