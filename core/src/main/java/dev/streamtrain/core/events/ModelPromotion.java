package dev.streamtrain.core.events;

/**
 * A verified candidate was promoted to serving ({@code model_promoted}) or rejected ({@code model_rejected}), with
 * the reason and both versions' metric.
 *
 * @param job job name
 * @param version the candidate's version label (e.g. {@code v000000900})
 * @param updates updates the candidate was trained for
 * @param promoted whether it serves now
 * @param reason why, in the product's words
 * @param metric the metric compared ({@code deploy.monitor})
 * @param value the candidate's value of it (NaN: not measured)
 * @param servingVersion the version serving before the decision (empty: none)
 * @param servingValue its value of the metric (NaN: none or not measured)
 * @param timeMillis when it was decided
 */
public record ModelPromotion(String job, String version, long updates, boolean promoted, String reason,
        String metric, double value, String servingVersion, double servingValue, long timeMillis)
        implements StreamEvent {
    @Override
    public String eventType() {
        return promoted ? "model_promoted" : "model_rejected";
    }
}
