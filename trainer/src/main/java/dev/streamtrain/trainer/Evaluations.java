package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.ExternalMetric;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.schedule.ReduceLROnPlateau;
import dev.streamtrain.trainer.hooks.Hooks;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validation sources of a run: the validation topic's rows, the held-out records, the prequential window (each
 * minibatch scored before it is trained: test, then train) and external metrics. The driving source's counted
 * evaluations feed the plateau control and become the validation metrics of the next checkpoint.
 */
final class Evaluations {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluations.class);
    private final JobConfig cfg;
    private final ModelParts parts;
    private final RunState state;
    private final RateControl rate;
    private final TrainerEvents events;
    private final Hooks hooks;
    private final ValidationSet topicRows;
    private final ValidationSet holdoutRows;
    private final PrequentialWindow prequential;
    /** Scores of minibatches not yet applied or refused (identity: the same minibatch object). */
    private final Map<MiniBatch, Evaluator.Scored> unsettled = new IdentityHashMap<>();

    Evaluations(JobConfig cfg, ModelParts parts, RunState state, RateControl rate, TrainerEvents events, Hooks hooks,
            ValidationSet topicRows, ValidationSet holdoutRows) {
        this.cfg = cfg;
        this.parts = parts;
        this.state = state;
        this.rate = rate;
        this.events = events;
        this.hooks = hooks;
        this.topicRows = topicRows;
        this.holdoutRows = holdoutRows;
        this.prequential = cfg.validation().uses("prequential")
                ? new PrequentialWindow(cfg.validation().prequentialWindowRows()) : null;
    }

    /** Before a minibatch is trained: with prequential validation it is scored first. */
    void beforeTraining(MiniBatch batch) {
        if (prequential != null) {
            unsettled.put(batch, parts.evaluator.score(batch));
        }
    }

    /** Minibatches an applied update trained: their scores (taken before training) join the prequential window. */
    void trained(List<MiniBatch> batches) {
        batches.forEach(b -> {
            Evaluator.Scored s = unsettled.remove(b);
            if (s != null) {
                prequential.add(s);
            }
        });
    }

    /** Minibatches a guard refused: not data the model learns from, so not scored either. */
    void notTrained(List<MiniBatch> batches) {
        batches.forEach(unsettled::remove);
    }

    /** After a rollback the scores describe a discarded model state: the prequential window starts over. */
    void rolledBack() {
        unsettled.clear();
        if (prequential != null) {
            prequential.clear();
        }
    }

    /** Evaluates every configured source that has rows and publishes each; the driving one drives the rate. */
    void evaluateAll() {
        var v = cfg.validation();
        for (String source : v.sources()) {
            Evaluator.Result r;
            try {
                r = switch (source) {
                    case "topic" -> evaluate(topicRows.snapshot());
                    case "holdout" -> evaluate(holdoutRows.snapshot());
                    case "prequential" -> prequential == null ? null : summarize(prequential.snapshot());
                    default -> null; // external metrics arrive on their own (observeExternal)
                };
            } catch (RuntimeException e) { // an evaluation never fails the run: the checkpoint is still written
                LOG.warn("evaluation of the {} rows failed at update {}: {}", source, state.updates,
                        dev.streamtrain.core.events.Failures.describe(e));
                continue;
            }
            if (r == null || r.rows() == 0) {
                continue;
            }
            boolean counted = r.rows() >= v.minRows();
            var metrics = new ValidationMetrics(cfg.job(), state.updates, state.samples, r.rows(), r.meanLoss(),
                    r.accuracy(), System.currentTimeMillis(), source, r.metrics(), counted);
            events.validation(metrics);
            hooks.afterValidate(metrics);
            if (source.equals(v.drive())) {
                drive(metrics, r.meanLoss());
            }
        }
    }

    private Evaluator.Result summarize(List<Evaluator.Scored> scored) {
        return scored.isEmpty() ? null : parts.evaluator.summarize(scored);
    }

    private Evaluator.Result evaluate(List<MiniBatch> rows) {
        return rows.isEmpty() ? null
                : parts.withServedWeights(cfg.tricks().emaForEval(), () -> parts.evaluator.evaluate(rows));
    }

    /**
     * A metric from the external topic: with {@code validation.drive: external} and the configured metric, it feeds
     * plateau control and becomes the validation metrics the next checkpoint holds.
     */
    void observeExternal(ExternalMetric m) {
        var v = cfg.validation();
        if (!v.drive().equals("external") || !m.name().equals(v.externalMetric())) {
            return;
        }
        boolean counted = m.rows() < 0 || m.rows() >= v.minRows();
        drive(ValidationMetrics.external(m, state.updates, state.samples, counted), m.value());
    }

    /** The driving source's evaluation: kept for checkpoints; when counted, observed by the plateau control. */
    private void drive(ValidationMetrics metrics, double metric) {
        state.lastValidation = metrics;
        if (!metrics.counted()) {
            return;
        }
        state.evaluations++;
        long step = rate.step();
        rate.controller().observe(metric, step).ifPresent(d -> {
            String reason = d.action() == ReduceLROnPlateau.Action.RESTARTED ? "plateau_restart" : "plateau_reduce";
            LOG.info(String.format(java.util.Locale.ROOT, "%s: the %s validation metric plateaued at %.4g (update %d):"
                    + " learning rate %.4g -> %.4g", reason, metrics.source(), metric, state.updates, d.oldLr(),
                    d.newLr()));
            events.lrChanged(new LrChanged(cfg.job(), state.updates, step, d.oldLr(), d.newLr(), reason, metric,
                    System.currentTimeMillis()));
        });
    }
}
