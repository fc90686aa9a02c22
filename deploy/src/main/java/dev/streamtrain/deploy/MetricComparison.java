package dev.streamtrain.deploy;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.events.ValidationMetrics;
import java.util.List;

/**
 * A candidate's and the serving model's value of the promotion metric, measured the same way: both on the
 * validation rows held now when the metric can be computed from outputs ({@link LiveMetric}; the serving version's
 * checkpoint metric was measured on rows the stream may have left behind), else what their checkpoints recorded.
 *
 * @param candidate the candidate's value (NaN: none)
 * @param serving the serving model's (NaN: none, or nothing serves)
 * @param basis where both come from, for the decision's reason
 */
record MetricComparison(double candidate, double serving, String basis) {
    /** Blocking: runs the serving model on the rows. */
    static MetricComparison of(String metric, CandidateExport.Exported exported, ValidationMetrics recorded,
            ServedModel serving, PromotionPolicy policy) throws Exception {
        List<MiniBatch> rows = exported.rows().batches();
        if (LiveMetric.SUPPORTED.contains(metric) && !rows.isEmpty()) {
            double now = LiveMetric.of(metric, exported.snapshot().spec().head(), exported.engine(),
                    exported.snapshot().spec().classes(), rows);
            if (!Double.isNaN(now)) {
                return new MetricComparison(now, LiveMetric.measure(metric, serving, rows),
                        "both on the " + exported.rows().count() + " validation rows held now");
            }
        }
        return new MetricComparison(recorded == null ? Double.NaN : recorded.metric(metric), policy.recorded(serving),
                "as their checkpoints recorded");
    }
}
