package dev.streamtrain.core.config;

import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.schedule.LrPolicy;
import java.nio.file.Path;
import java.util.Map;

/**
 * A validated job: every component's settings as immutable records. Built by {@link JobConfigLoader}, which
 * documents every key and its default.
 *
 * @param job job name; prefixes the default topic names
 * @param workDir where checkpoints, the exported model and the embedded broker's data live
 * @param kafka cluster and client settings
 * @param ingest topics, record format and hand-off queue
 * @param model the network
 * @param optimizer optimizer settings
 * @param schedule learning-rate policy: schedule, optional plateau control, clock
 * @param tricks training tricks, one switch each
 * @param training evaluation cadence and limits
 * @param checkpoint checkpoint location and cadence
 * @param serving the HTTP model server
 * @param monitor the monitor's rules, throttling and alert sinks
 * @param remediation what the monitor does about alerts
 * @param rollback how a rollback is carried out
 * @param earlyStopping early stopping (Lightning semantics; off unless the section is present)
 * @param validation the streamed validation sources and metrics
 * @param deploy which models are exported and served while training goes on
 * @param autoRange {@code schedule.auto-range}: a range test fills the schedule's CyclicLR / OneCycleLR bounds before
 *     training (the bounds in {@code schedule} are stand-ins until then)
 */
public record JobConfig(String job, Path workDir, KafkaSettings kafka, IngestSettings ingest, ModelSpec model,
        OptimizerSettings optimizer, LrPolicy schedule, TricksSettings tricks, TrainingSettings training,
        CheckpointSettings checkpoint, ServingSettings serving, MonitorSettings monitor,
        RemediationSettings remediation, RollbackSettings rollback, EarlyStoppingSettings earlyStopping,
        ValidationSettings validation, DeploySettings deploy, boolean autoRange) {

    /**
     * {@code sha256:<hex>} of the configuration as JSON, every setting included (defaults too): recorded in each
     * export's ONNX metadata, so a served model names the configuration it was trained under.
     */
    public String hash() {
        try {
            byte[] json = dev.streamtrain.core.events.Events.mapper().writeValueAsBytes(this);
            return "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | java.security.NoSuchAlgorithmException e) {
            return "unknown";
        }
    }

    /**
     * @param bootstrapServers the cluster; empty means "start an embedded broker"
     * @param topicPartitions partitions for topics the app creates
     * @param consumer extra Kafka consumer settings, passed through unchanged
     * @param producer extra Kafka producer settings, passed through unchanged
     */
    public record KafkaSettings(String bootstrapServers, int topicPartitions, Map<String, String> consumer,
            Map<String, String> producer) {
        public KafkaSettings {
            consumer = Map.copyOf(consumer);
            producer = Map.copyOf(producer);
        }

        /** True when the app must start its own broker. */
        public boolean embedded() {
            return bootstrapServers.isBlank();
        }
    }

    /**
     * @param trainTopics topics named to train on (from {@code ingest.train-topics}, or the single
     *     {@code ingest.train-topic}); may be empty when a pattern is given
     * @param trainTopicPattern a regular expression: every topic whose whole name matches is trained on too, with the
     *     default format and weight 1 (empty: none); the job's own validation, dead-letter, metrics and alerts topics
     *     and Kafka's internal topics never match
     * @param interleave {@code arrival} (minibatches go to the trainer as they arrive) or {@code weighted} (smooth
     *     weighted round-robin between the topics that have a minibatch ready, by their weights)
     * @param topicRefreshMillis how often the pattern (and the partition counts) are checked for new topics/partitions
     * @param validationTopic minibatch or example records to evaluate on (read with {@code format})
     * @param format the default record format of every topic
     * @param queueCapacity minibatches waiting for the trainer before ingest pauses (the read-ahead's count)
     * @param queueBytes heap bytes of minibatches waiting for the trainer before ingest pauses (its size); reading
     *     resumes once both are down to half
     * @param stopAtEnd stop when the end offsets noted at start are reached (bounded run) instead of training forever
     * @param validationMaxRows most validation rows kept in memory
     * @param groupId consumer group used for committed offsets
     * @param nonFinite what to do with NaN/Inf features: reject (dead-letter the record), zero, or clip
     * @param clipValue with clip: NaN becomes 0 and values are clamped to [-clipValue, clipValue]
     * @param maxRecordBytes larger records are dead-lettered
     * @param deadLetterTopic where rejected records go (default {@code <job>.dlq})
     * @param onError skip (dead-letter bad records and go on) or fail (stop at the first bad record, uncommitted)
     * @param batchSize rows per assembled minibatch (json/csv example records)
     * @param maxWaitMillis longest an example waits for its minibatch to fill (json/csv)
     * @param start where a model with no checkpoint starts reading: {@code earliest} (everything retained; the
     *     default, so a new model never inherits an older model's committed offsets), {@code latest} (only records
     *     produced from now on) or {@code committed} (the consumer group's committed offsets, else earliest). A model
     *     with a checkpoint always continues at the checkpoint's offsets.
     */
    public record IngestSettings(java.util.List<TrainTopic> trainTopics, String trainTopicPattern, String interleave,
            long topicRefreshMillis, String validationTopic, RecordFormatSettings format, int queueCapacity,
            long queueBytes, boolean stopAtEnd, int validationMaxRows, String groupId, String nonFinite, double clipValue,
            int maxRecordBytes, String deadLetterTopic, String onError, int batchSize, long maxWaitMillis,
            String start) {
        public IngestSettings {
            trainTopics = java.util.List.copyOf(trainTopics);
        }

        /**
         * The hand-off between ingest and the trainer, bounded by count and by size.
         *
         * @param <T> the items
         */
        public <T extends dev.streamtrain.core.batch.BatchQueueItem> dev.streamtrain.core.batch.BackPressureQueue<T>
                newQueue() {
            return new dev.streamtrain.core.batch.BackPressureQueue<>(queueCapacity, queueCapacity / 2, queueBytes,
                    dev.streamtrain.core.batch.BatchQueueItem::sizeInBytes);
        }

        /** The first named training topic (single-topic jobs' only one). */
        public String trainTopic() {
            if (trainTopics.isEmpty()) {
                throw new IllegalStateException("this job names no training topic, only the pattern "
                        + trainTopicPattern);
            }
            return trainTopics.get(0).topic();
        }

        /** What the job trains on, for people: the named topics and the pattern. */
        public String describeSources() {
            var parts = new java.util.ArrayList<String>();
            trainTopics.forEach(t -> parts.add(t.topic()));
            if (!trainTopicPattern.isEmpty()) {
                parts.add("topics matching /" + trainTopicPattern + "/");
            }
            return String.join(", ", parts);
        }
    }

    /**
     * @param evalEvery updates between evaluations (and checkpoints)
     * @param logEvery updates between step-metric events (non-finite losses are always published)
     * @param loss cross_entropy (softmax head), bce (sigmoid head, with logits), mse, l1 or huber (identity head);
     *     PyTorch semantics, mean reduction
     * @param huberDelta delta of the Huber loss
     * @param maxUpdates stop after this many updates (0: no limit)
     * @param seed seed of parameter initialisation
     */
    public record TrainingSettings(int evalEvery, int logEvery, String loss, double huberDelta, long maxUpdates,
            long seed) {
        /** Losses available. */
        public static final java.util.List<String> LOSSES = java.util.List.of("cross_entropy", "bce", "mse", "l1",
                "huber");
    }

    /**
     * @param dir checkpoint directory
     * @param keep newest checkpoints kept (older ones are deleted, but for the best ones)
     * @param everySeconds also checkpoint when this many seconds passed since the last one (0: by updates only,
     *     every {@code training.eval-every})
     * @param keepBest also keep the best this many good checkpoints by the early-stopping metric
     *     ({@code early-stopping.monitor} and {@code mode}, also when early stopping is off; 0: none)
     */
    public record CheckpointSettings(Path dir, int keep, long everySeconds, int keepBest) {
    }

    /**
     * @param host interface the model server binds
     * @param port its port (0: any free port)
     * @param token bearer token of the control endpoints ({@code serving.token}, else the environment's
     *     {@code STREAMTRAIN_TOKEN}; empty: one is generated at start and logged once)
     * @param requestTopic Kafka-in inference: requests read from this topic (empty: off)
     * @param responseTopic where their answers go
     * @param historyPoints chart points per series the dashboard keeps in memory and sends a page on load
     * @param protectViews whether the dashboard's views need the token too (else only its controls do)
     */
    public record ServingSettings(String host, int port, String token, String requestTopic, String responseTopic,
            int historyPoints, boolean protectViews) {
        @Override
        public String toString() { // never print the secret
            return "ServingSettings[host=" + host + ", port=" + port + ", token=" + (token.isEmpty() ? "" : "***")
                    + ", requestTopic=" + requestTopic + ", responseTopic=" + responseTopic + ", historyPoints="
                    + historyPoints + ", protectViews=" + protectViews + "]";
        }

        /** The configuration's JSON leaves the token out too (it is hashed into every export's metadata). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String token() {
            return token;
        }
    }
}
