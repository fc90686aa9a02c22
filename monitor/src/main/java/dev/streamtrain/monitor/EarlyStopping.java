package dev.streamtrain.monitor;

import dev.streamtrain.core.config.EarlyStoppingSettings;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import java.util.Optional;

/**
 * Early stopping with the semantics of PyTorch Lightning's {@code EarlyStopping} callback
 * ({@code src/lightning/pytorch/callbacks/early_stopping.py}, {@code _evaluate_stopping_criteria}), plus Keras'
 * {@code baseline} and {@code start_from_epoch} (here {@code warmup}). Pure: state is the best value, its update and
 * the wait count.
 *
 * <p>Per value of the watched metric, in Lightning's order:
 * <ol>
 *   <li>the first {@code warmup} values are ignored (neither best nor wait change);</li>
 *   <li>{@code check_finite} and the value is NaN or infinite → stop;</li>
 *   <li>{@code stopping_threshold} set and the value beats it strictly (below it in mode min) → stop;</li>
 *   <li>{@code divergence_threshold} set and the value is strictly worse → stop;</li>
 *   <li>the value improves on the best by more than {@code min_delta} → new best, wait = 0; the first best to beat
 *       is {@code baseline} when set (Keras), else +/-infinity (Lightning);</li>
 *   <li>otherwise wait + 1, and stop when wait &gt;= {@code patience}.</li>
 * </ol>
 *
 * <p>Watched metrics: {@code val_loss} and {@code val_accuracy} (one value per evaluation) and {@code train_loss}
 * (one value per update, so {@code patience} counts updates). Any other name is not yet received by the monitor:
 * then this never stops. A stop is asked once.
 */
public final class EarlyStopping {
    private final EarlyStoppingSettings settings;
    private final boolean maxMode;
    private double best;
    private long bestUpdate = -1;
    private int wait;
    private int seen;
    private boolean stopped;

    public EarlyStopping(EarlyStoppingSettings settings) {
        this.settings = settings;
        this.maxMode = settings.mode().equals("max");
        this.best = !Double.isNaN(settings.baseline()) ? settings.baseline()
                : maxMode ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * True when this watches a metric the trainer publishes ({@code train_loss}, or {@code val_<name>} of its
     * evaluations) and the section is present; other names can only come from the external metrics topic.
     */
    public boolean active() {
        return settings.enabled() && (settings.monitor().equals("train_loss") || settings.monitor().startsWith("val_"));
    }

    /**
     * Judges an evaluation when watching one of its metrics ({@code val_loss}, {@code val_accuracy},
     * {@code val_auc}, ...; see {@link ValidationMetrics#metric}). An evaluation without that metric is ignored.
     */
    public Optional<TrainerCommand.Stop> onValidation(ValidationMetrics m) {
        double v = settings.monitor().startsWith("val_") ? m.metric(settings.monitor()) : Double.NaN;
        boolean present = settings.monitor().equals("val_loss") || settings.monitor().equals("val_accuracy")
                || !Double.isNaN(v);
        return present ? judge(v, m.update()) : Optional.empty();
    }

    /** Judges a metric from the external metrics topic when it is the one watched. */
    public Optional<TrainerCommand.Stop> onExternal(dev.streamtrain.core.events.ExternalMetric m) {
        return m.name().equals(settings.monitor()) ? judge(m.value(), m.update()) : Optional.empty();
    }

    /** Judges an update's training loss when watching {@code train_loss}. */
    public Optional<TrainerCommand.Stop> onStep(StepMetrics m) {
        return settings.monitor().equals("train_loss") ? judge(m.loss(), m.update()) : Optional.empty();
    }

    private Optional<TrainerCommand.Stop> judge(double value, long update) {
        if (!settings.enabled() || stopped) {
            return Optional.empty();
        }
        if (seen++ < settings.warmup()) {
            return Optional.empty();
        }
        String name = settings.monitor();
        if (settings.checkFinite() && !Double.isFinite(value)) {
            return stop(name + " is " + Findings.num(value) + " at update " + update + " (" + bestText() + ")");
        }
        double threshold = settings.stoppingThreshold();
        if (!Double.isNaN(threshold) && (maxMode ? value > threshold : value < threshold)) {
            return stop(name + " " + Findings.num(value) + " reached the stopping threshold " + Findings.num(threshold)
                    + " at update " + update);
        }
        double divergence = settings.divergenceThreshold();
        if (!Double.isNaN(divergence) && (maxMode ? value < divergence : value > divergence)) {
            return stop(name + " " + Findings.num(value) + " is worse than the divergence threshold "
                    + Findings.num(divergence) + " at update " + update + " (" + bestText() + ")");
        }
        if (settings.improves(value, best)) {
            best = value;
            bestUpdate = update;
            wait = 0;
            return Optional.empty();
        }
        wait++;
        if (wait >= settings.patience()) {
            return stop(name + " did not improve for " + wait + (wait == 1 ? " evaluation" : " evaluations") + " ("
                    + bestText() + ")");
        }
        return Optional.empty();
    }

    private Optional<TrainerCommand.Stop> stop(String why) {
        stopped = true;
        return Optional.of(new TrainerCommand.Stop("early_stopping: " + why, settings.restoreBest()));
    }

    private String bestText() {
        if (bestUpdate >= 0) {
            return "best " + Findings.num(best) + " at update " + bestUpdate;
        }
        return Double.isNaN(settings.baseline()) ? "no best yet"
                : "nothing beat the baseline " + Findings.num(settings.baseline());
    }

    /** The best value so far (the baseline or +/-infinity before any improvement). */
    public double best() {
        return best;
    }

    /** The update of the best value; -1 before any improvement. */
    public long bestUpdate() {
        return bestUpdate;
    }

    /** Values judged since the last improvement. */
    public int waitCount() {
        return wait;
    }

    /** True once a stop was asked. */
    public boolean stopped() {
        return stopped;
    }
}
