package dev.streamtrain.monitor;

import dev.streamtrain.core.config.MonitorSettings;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.ValidationMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code overfitting}: the validation loss rose at {@code patience} consecutive evaluations while the training
 * loss kept falling; or, when {@code max-gap} &gt; 0, validation minus training loss stayed above {@code max-gap} for
 * {@code patience} consecutive evaluations. Training-knowledge §9: the model learns the training set rather than the
 * task; regularise (weight decay, dropout), use early stopping, or add more data.
 *
 * <p>The training loss is an exponential moving average of the finite step losses (weight {@value #TRAIN_ALPHA} per
 * update), since single minibatch losses are too noisy to say "falling"; it falls when its value at this evaluation
 * is below its value at the previous one. After alerting, the count starts again, so a lasting pattern alerts again
 * every {@code patience} evaluations (the throttle folds these).
 */
public final class OverfittingRule implements MetricRule {
    static final String KIND = "overfitting";
    /** Weight of one update's loss in the training-loss average (about the last 20 updates). */
    static final double TRAIN_ALPHA = 0.1;
    private final Findings findings;
    private final int patience;
    private final double maxGap;
    private double trainEma = Double.NaN;
    private double trainAtLastEval = Double.NaN;
    private double lastVal = Double.NaN;
    private int rising;
    private int gapped;

    public OverfittingRule(MonitorSettings.Rule settings, Clock clock) {
        this.findings = Findings.of(settings, clock);
        this.patience = Math.max(1, (int) settings.get("patience"));
        this.maxGap = settings.get("max-gap");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Alert> onStep(StepMetrics m) {
        if (Double.isFinite(m.loss())) {
            trainEma = Double.isNaN(trainEma) ? m.loss() : trainEma + TRAIN_ALPHA * (m.loss() - trainEma);
        }
        return List.of();
    }

    @Override
    public List<Alert> onValidation(ValidationMetrics m) {
        double val = m.loss();
        if (!Double.isFinite(val)) {
            return List.of();
        }
        boolean trainFalling = trainEma < trainAtLastEval;
        rising = val > lastVal && trainFalling ? rising + 1 : 0;
        double gap = val - trainEma;
        gapped = maxGap > 0 && gap > maxGap ? gapped + 1 : 0;
        double trainBefore = trainAtLastEval;
        double valBefore = lastVal;
        lastVal = val;
        trainAtLastEval = trainEma;
        if (rising >= patience) {
            rising = 0;
            return findings.alert(m.job(), "validation loss rose at " + patience + " evaluations in a row (to "
                    + Findings.num(val) + " at update " + m.update() + ") while the training loss kept falling (to "
                    + Findings.num(trainEma) + "): the model is overfitting; regularise (weight decay, dropout),"
                    + " use early stopping, or add more data", m.update(), val,
                    Map.of("validation", val, "previousValidation", valBefore, "train", trainEma,
                            "previousTrain", trainBefore));
        }
        if (gapped >= patience) {
            gapped = 0;
            return findings.alert(m.job(), "validation loss " + Findings.num(val) + " exceeded the training loss "
                    + Findings.num(trainEma) + " by more than " + Findings.num(maxGap) + " for " + patience
                    + " evaluations in a row (update " + m.update() + "): the model is overfitting; regularise"
                    + " (weight decay, dropout), use early stopping, or add more data", m.update(), val,
                    Map.of("validation", val, "train", trainEma, "gap", gap, "maxGap", maxGap));
        }
        return List.of();
    }
}
