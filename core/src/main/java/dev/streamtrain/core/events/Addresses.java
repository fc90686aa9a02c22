package dev.streamtrain.core.events;

/**
 * Event-bus addresses: the contract between modules. Facts are published; commands are request/reply.
 */
public final class Addresses {
    /**
     * {@link StepMetricsBatch}: every update's {@link StepMetrics}, in order, published by the trainer in batches (a
     * few milliseconds' worth at most).
     */
    public static final String STEP_METRICS = "streamtrain.metrics.step";
    /** {@link ValidationMetrics}, published by the trainer after each evaluation. */
    public static final String VALIDATION_METRICS = "streamtrain.metrics.validation";
    /** {@link IngestMetrics}, published by ingest every metrics interval. */
    public static final String INGEST_METRICS = "streamtrain.metrics.ingest";
    /** {@link IngestFailed}, published by ingest when a bad record stops a job whose policy is fail. */
    public static final String INGEST_FAILED = "streamtrain.ingest.failed";
    /**
     * {@link Alert}, every critical finding of the monitor's rules before throttling: the trainer marks the
     * checkpoints that include its update as not good (a throttled repeat must count too).
     */
    public static final String CRITICAL_FINDINGS = "streamtrain.alerts.critical-findings";
    /** {@link Alert}, published by the monitor (throttled: one per kind per window, with a repeat count). */
    public static final String ALERTS = "streamtrain.alerts";
    /** {@link LrChanged}, published by the trainer when plateau control reduces or restarts the rate. */
    public static final String LR_CHANGED = "streamtrain.lr.changed";
    /** {@link LrRangeFound}, published by the app once when {@code schedule.auto-range} filled the schedule. */
    public static final String LR_RANGE_FOUND = "streamtrain.lr.range-found";
    /** {@link CheckpointSaved}, published by the trainer; ingest commits the offsets it names. */
    public static final String CHECKPOINT_SAVED = "streamtrain.checkpoint.saved";
    /** {@link OffsetsCommitted}, published by ingest once a checkpoint's offsets are committed. */
    public static final String OFFSETS_COMMITTED = "streamtrain.offsets.committed";
    /** {@link TrainingFinished}, published by the trainer at the end of a bounded run. */
    public static final String TRAINING_FINISHED = "streamtrain.training.finished";
    /** {@link ModelDeployed}, published by deploy after each export and verification. */
    public static final String MODEL_DEPLOYED = "streamtrain.model.deployed";
    /** {@link ModelPromotion}, published by deploy when a verified candidate is promoted or rejected. */
    public static final String MODEL_PROMOTION = "streamtrain.model.promotion";
    /** {@link ModelRolledBack}, published by deploy when serving goes back to an earlier version. */
    public static final String MODEL_ROLLED_BACK = "streamtrain.model.rolled-back";
    /** Request/reply: any body, answered with the current metrics in Prometheus text format (a String). */
    public static final String PROMETHEUS_SCRAPE = "streamtrain.metrics.prometheus";
    /**
     * Request/reply: a {@link dev.streamtrain.core.control.TrainerCommand} to the trainer, answered with a
     * {@link dev.streamtrain.core.control.CommandReply}. The one way to act on a running trainer.
     */
    public static final String TRAINER_CONTROL = "streamtrain.trainer.control";
    /** {@link ExternalMetric}, published by ingest for every metric read from the external metrics topic. */
    public static final String EXTERNAL_METRICS = "streamtrain.metrics.external";
    /** {@link UpdateRejected}, published by the trainer when a guard refused an update. */
    public static final String UPDATE_REJECTED = "streamtrain.trainer.update-rejected";
    /** {@link RolledBack}, published by the trainer after a rollback. */
    public static final String ROLLED_BACK = "streamtrain.trainer.rolled-back";
    /**
     * Request/reply: a {@link dev.streamtrain.core.batch.QuarantineRequest} to ingest, answered (with the number of
     * records written) once the dead-letter copy is acknowledged by the broker.
     */
    public static final String INGEST_QUARANTINE = "streamtrain.ingest.quarantine";

    private Addresses() {
    }
}
