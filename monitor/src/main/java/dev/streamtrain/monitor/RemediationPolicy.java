package dev.streamtrain.monitor;

import dev.streamtrain.core.config.RemediationSettings;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Alert;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the monitor asks of the trainer about an alert (sections {@code remediation:} and {@code rollback:}). Pure:
 * state is the last action and the recent rollbacks; time is an update clock given with each call.
 *
 * <ul>
 *   <li>The action is {@link RemediationSettings#actionFor(String)} of the alert's kind: {@code reduce_lr} →
 *       {@link TrainerCommand.ScaleLr}({@code reduce-lr-factor}, kind); {@code rollback} →
 *       {@link TrainerCommand.Rollback}(kind, the alert's update), so the state restored predates the trouble;
 *       {@code stop} → {@link TrainerCommand.Stop}(reason, false); {@code none} → nothing.</li>
 *   <li>Cooldown: for {@code cooldown-updates} updates after any action, alerts are not acted on (they are still
 *       published), so one incident is not answered twice before the first answer shows.</li>
 *   <li>Rollback budget: at most {@code max-rollbacks} rollbacks within a sliding window of {@code window-updates}
 *       updates. The next one asks to stop instead, with reason {@code rollback_budget_exhausted: ...}, and adds a
 *       critical alert of kind {@code rollback_budget_exhausted}: a run that keeps breaking needs a person.</li>
 *   <li>A command the trainer refused (say, no good checkpoint to roll back to) gives its budget back
 *       ({@link #refused}).</li>
 *   <li>After a stop, nothing more is asked.</li>
 * </ul>
 *
 * <p>The update clock must only go forward: the monitor counts the updates it has seen reported, not the trainer's
 * update number, which a rollback sets back (that would stretch cooldowns and windows).
 */
public final class RemediationPolicy {
    /** Alert kind of a stop for want of rollback budget. */
    public static final String BUDGET_EXHAUSTED = "rollback_budget_exhausted";

    /**
     * What to do.
     *
     * @param command the command for the trainer
     * @param alerts alerts the decision itself raises (to publish like any other)
     */
    public record Decision(TrainerCommand command, List<Alert> alerts) {
        public Decision {
            alerts = List.copyOf(alerts);
        }
    }

    private final RemediationSettings settings;
    private final Clock clock;
    private final Deque<Long> rollbacks = new ArrayDeque<>();
    private long lastAction = Long.MIN_VALUE;
    private boolean stopped;

    public RemediationPolicy(RemediationSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Decides about one alert.
     *
     * @param alert a finding (throttled or not: see {@link MonitorVerticle})
     * @param updates the update clock now (updates seen so far; only goes forward)
     * @return the command to send, if any
     */
    public Optional<Decision> decide(Alert alert, long updates) {
        String action = settings.actionFor(alert.kind());
        if (stopped || action.equals("none") || coolingDown(updates)) {
            return Optional.empty();
        }
        lastAction = updates;
        return Optional.of(switch (action) {
            case "reduce_lr" -> new Decision(new TrainerCommand.ScaleLr(settings.reduceLrFactor(), alert.kind()),
                    List.of());
            case "rollback" -> rollback(alert, updates);
            case "stop" -> {
                stopped = true;
                yield new Decision(new TrainerCommand.Stop(alert.kind() + " at update " + alert.update(), false),
                        List.of());
            }
            default -> throw new IllegalStateException("unknown remediation action " + action);
        });
    }

    private Decision rollback(Alert alert, long updates) {
        forget(updates);
        if (rollbacks.size() < settings.maxRollbacks()) {
            rollbacks.addLast(updates);
            return new Decision(new TrainerCommand.Rollback(alert.kind(), alert.update()), List.of());
        }
        stopped = true;
        String why = rollbacks.size() + " rollbacks within the last " + settings.windowUpdates() + " updates, and "
                + alert.kind() + " at update " + alert.update() + " asked for one more";
        Alert exhausted = new Alert(alert.job(), BUDGET_EXHAUSTED, "critical", "the run was stopped: " + why
                + " (remediation.max-rollbacks " + settings.maxRollbacks() + "); it keeps breaking at this rate:"
                + " lower the learning rate, clip gradients, and check the dead-letter topic for bad records",
                alert.update(), rollbacks.size(), Map.of("rollbacks", (double) rollbacks.size(),
                        "maxRollbacks", (double) settings.maxRollbacks(),
                        "windowUpdates", (double) settings.windowUpdates()),
                alert.offsets(), 1, clock.millis());
        return new Decision(new TrainerCommand.Stop(BUDGET_EXHAUSTED + ": " + why, false), List.of(exhausted));
    }

    /**
     * The trainer refused (or never answered) a command this policy decided: a refused rollback gives its budget
     * back. The cooldown stays, so a trainer that cannot roll back is not asked again at once.
     */
    public void refused(TrainerCommand command) {
        if (command instanceof TrainerCommand.Rollback && !rollbacks.isEmpty()) {
            rollbacks.removeLast();
        }
    }

    /** True when alerts of this kind have an action other than {@code none}. */
    public boolean acts(String kind) {
        return !settings.actionFor(kind).equals("none");
    }

    /** True while alerts are not acted on after the last action. */
    public boolean coolingDown(long updates) {
        return lastAction != Long.MIN_VALUE && updates - lastAction < settings.cooldownUpdates();
    }

    /** Rollbacks counted against the budget at this update clock. */
    public int rollbacksInWindow(long updates) {
        forget(updates);
        return rollbacks.size();
    }

    /** True once a stop was decided: nothing more is asked. */
    public boolean stopped() {
        return stopped;
    }

    /** Drops rollbacks older than the window. */
    private void forget(long updates) {
        while (!rollbacks.isEmpty() && updates - rollbacks.peekFirst() >= settings.windowUpdates()) {
            rollbacks.removeFirst();
        }
    }
}
