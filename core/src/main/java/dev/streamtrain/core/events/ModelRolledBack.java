package dev.streamtrain.core.events;

/**
 * Serving went back to an earlier promoted version ({@code model_rolled_back}); training is not affected.
 *
 * @param job job name
 * @param fromVersion the version that served until now
 * @param toVersion the version that serves now
 * @param reason why (an operator's request, a regression)
 * @param timeMillis when
 */
public record ModelRolledBack(String job, String fromVersion, String toVersion, String reason, long timeMillis)
        implements StreamEvent {
    @Override
    public String eventType() {
        return "model_rolled_back";
    }
}
