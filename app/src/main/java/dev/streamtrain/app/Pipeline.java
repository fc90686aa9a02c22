package dev.streamtrain.app;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import dev.streamtrain.core.events.RolledBack;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.IngestFailed;
import dev.streamtrain.core.events.ModelDeployed;
import dev.streamtrain.core.events.OffsetsCommitted;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.deploy.DeployVerticle;
import dev.streamtrain.deploy.KafkaInference;
import dev.streamtrain.deploy.ModelPublisher;
import dev.streamtrain.deploy.ModelRecords;
import dev.streamtrain.ingest.ConsumerSettings;
import dev.streamtrain.ingest.DeadLetterPublisher;
import dev.streamtrain.ingest.ExampleDecoders;
import dev.streamtrain.ingest.ExternalMetricsVerticle;
import dev.streamtrain.ingest.RecordValidator;
import dev.streamtrain.ingest.TopicRoutes;
import dev.streamtrain.ingest.TrainIngestVerticle;
import dev.streamtrain.ingest.ValidationReaderVerticle;
import dev.streamtrain.monitor.MonitorVerticle;
import dev.streamtrain.monitor.TrainingMeters;
import dev.streamtrain.dashboard.DashboardVerticle;
import dev.streamtrain.trainer.TrainerVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One job, wired: ingest, trainer, monitor, deploy and the Kafka event bridge as verticles on one Vert.x instance,
 * over a {@link KafkaCluster}. A bounded run ({@code ingest.stop-at-end}) completes {@link #result()} once training
 * finished, its final offsets are committed and the export was verified (and served, if it passed). Closing stops
 * Vert.x and then the cluster (the embedded broker, if any). Idempotent; safe from a shutdown hook.
 */
public final class Pipeline implements AutoCloseable {
    /** How long one verticle may take to start (the trainer loads native libraries on first use). */
    private static final long START_TIMEOUT_SECONDS = 180;
    /** How often live dashboard pages get what happened (ms): a few chart points a second. */
    private static final long DASHBOARD_FLUSH_MILLIS = 250;

    /**
     * What a bounded run produced.
     *
     * @param training the trainer's final report
     * @param deployment the export's verification and serving outcome
     * @param commit the final committed offsets (null when nothing was trained)
     * @param servingPort the model server's port
     * @param rollbacks the rollbacks done, in order
     * @param alerts alerts published, by kind (repeats folded into an alert included)
     */
    public record Result(TrainingFinished training, ModelDeployed deployment, OffsetsCommitted commit,
            int servingPort, List<RolledBack> rollbacks, Map<String, Long> alerts) {
        public Result {
            rollbacks = List.copyOf(rollbacks);
            alerts = Map.copyOf(alerts);
        }
    }

    private final KafkaCluster cluster;
    private final Vertx vertx;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private int servingPort;
    private String dashboardUrl;
    private String sources = "the training topics";
    private boolean closed;

    private Pipeline(KafkaCluster cluster, Vertx vertx) {
        this.cluster = cluster;
        this.vertx = vertx;
    }

    /**
     * Creates the job's own topics (and, on the embedded broker, its training topics), deploys every verticle and
     * starts training.
     *
     * @throws IllegalStateException when a training topic does not exist on a cluster of the user's
     *
     * @param expectedUpdates total updates if known (progress bar), else 0
     */
    public static Pipeline start(JobConfig cfg, KafkaCluster cluster, ConsoleProgress console, long expectedUpdates)
            throws Exception {
        dev.streamtrain.trainer.TrainerVerticle.loadEngineAhead(); // libtorch loads while the topics are set up
        var ingest = cfg.ingest();
        var checks = cfg.validation();
        List<String> own = ownTopics(cfg);
        List<String> topics = new java.util.ArrayList<>(own);
        if (cluster.embeddedBroker() != null) {
            ingest.trainTopics().forEach(t -> topics.add(t.topic()));
        }
        if (!cfg.serving().requestTopic().isEmpty()) {
            topics.addAll(List.of(cfg.serving().requestTopic(), cfg.serving().responseTopic()));
        }
        var wanted = new java.util.ArrayList<>(topics.stream()
                .map(t -> cluster.topic(t, cfg.kafka().topicPartitions())).toList());
        wanted.add(cluster.compactedTopic(ModelRecords.topic(cfg.job()), ModelRecords.MAX_BYTES));
        cluster.ensureTopics(wanted, existing -> {
            if (cluster.embeddedBroker() == null) {
                InputTopics.requireExisting(cfg, existing, cluster.bootstrapServers());
            }
        });
        var registry = Observability.registry();
        Vertx vertx = Observability.vertx(registry);
        boolean generated = cfg.serving().token().isEmpty();
        String token = generated ? java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16))
                : cfg.serving().token();
        Pipeline pipeline = new Pipeline(cluster, vertx);
        try {
            Events.registerCodecs(vertx);
            pipeline.collectResult();
            String servers = cluster.bootstrapServers();
            BackPressureQueue<BatchQueueItem> queue = ingest.newQueue();
            var validation = new ValidationSet(ingest.validationMaxRows());
            var holdout = new ValidationSet(checks.holdoutMaxRows());
            // the export is verified on validation rows: the topic's, else the held-out ones (else seeded random rows)
            var deploy = new DeployVerticle(cfg.job(), cfg.workDir().resolve("models"), cfg.serving().host(),
                    cfg.serving().port(), checks.uses("topic") || !checks.uses("holdout") ? validation : holdout,
                    cfg.deploy()).configHash(cfg.hash()).controlToken(token).meters(registry);
            var dashboard = new DashboardVerticle(RunInfos.of(cfg, expectedUpdates), cfg.serving().historyPoints(),
                    DASHBOARD_FLUSH_MILLIS, token, cfg.serving().protectViews(), Clock.systemUTC());
            deploy.routes(dashboard::mount);
            pipeline.deploy(new EventBridge(cfg.job(), servers, cfg.kafka().producer(), cfg.training().logEvery()));
            pipeline.deploy(new MonitorVerticle(cfg.job(), cfg.monitor(), cfg.remediation(), cfg.earlyStopping(),
                    Clock.systemUTC()).drivenBy(checks.drive()));
            pipeline.deploy(new TrainingMeters(registry, cfg.job()));
            pipeline.deploy(dashboard);
            pipeline.deploy(new TrainingProgress(console, expectedUpdates));
            pipeline.deploy(deploy);
            // a token from the job file or the environment is never printed; a generated one once, here
            pipeline.sources = cfg.ingest().describeSources();
            pipeline.dashboardUrl = "http://" + cfg.serving().host() + ":" + deploy.port() + "/"
                    + (cfg.serving().protectViews() ? "?access_token=" + (generated ? token : "<token>") : "");
            console.line("dashboard: " + pipeline.dashboardUrl + (generated ? "  (control token, printed once: "
                    + token + ")" : "  (controls take the configured token)"));
            pipeline.deploy(new ModelPublisher(cfg.job(), cfg.workDir().resolve("models"), servers,
                    cfg.kafka().producer()));
            if (!cfg.serving().requestTopic().isEmpty()) {
                pipeline.deploy(new KafkaInference(cfg.serving().requestTopic(), cfg.serving().responseTopic(),
                        ingest.deadLetterTopic(), ConsumerSettings.of(servers, ingest.groupId() + "-inference",
                        cfg.kafka().consumer()), servers, cfg.kafka().producer(), deploy::serving));
            }
            if (checks.uses("topic")) {
                pipeline.deploy(new ValidationReaderVerticle(ingest.validationTopic(),
                        ConsumerSettings.of(servers, null, cfg.kafka().consumer()),
                        ExampleDecoders.forFormat(ingest.format()), validation)
                        .validate(new RecordValidator(ExampleDecoders.forFormat(ingest.format()), expectation(cfg)),
                                deadLetters(cfg, servers)));
            }
            if (checks.uses("external")) {
                pipeline.deploy(new ExternalMetricsVerticle(cfg.job(), checks.externalTopic(),
                        ConsumerSettings.of(servers, null, cfg.kafka().consumer()), checks.externalStart(),
                        deadLetters(cfg, servers)));
            }
            var trainer = new TrainerVerticle(cfg, queue, validation, holdout);
            pipeline.deploy(trainer);
            var reader = trainIngest(cfg, servers, own, queue, trainer.resumePosition());
            if (checks.uses("holdout")) {
                reader.holdOut(checks.holdoutFraction(), holdout);
            }
            pipeline.deploy(reader);
            pipeline.servingPort = deploy.port();
        } catch (Exception | Error e) {
            pipeline.closeVertx();
            throw e;
        }
        return pipeline;
    }


    /** The job's own topics (validation, dead letters, metrics, alerts, external metrics): never training data. */
    static List<String> ownTopics(JobConfig cfg) {
        var ingest = cfg.ingest();
        List<String> own = new java.util.ArrayList<>(List.of(ingest.validationTopic(), ingest.deadLetterTopic(),
                EventBridge.metricsTopic(cfg.job()), EventBridge.alertsTopic(cfg.job())));
        if (cfg.validation().uses("external")) {
            own.add(cfg.validation().externalTopic());
        }
        return own;
    }

    /** The training topics' routes: each topic's format and validation (the reader's and the range test's). */
    static TopicRoutes trainRoutes(JobConfig cfg, List<String> ownTopics) {
        var ingest = cfg.ingest();
        var expectation = expectation(cfg);
        return new TopicRoutes(ingest.trainTopics(), ingest.trainTopicPattern(), ingest.format(),
                f -> new RecordValidator(ExampleDecoders.forFormat(f), expectation), java.util.Set.copyOf(ownTopics));
    }

    /** The training-topic reader: routes per topic, validation, dead letters, assembly and interleaving. */
    static TrainIngestVerticle trainIngest(JobConfig cfg, String servers, List<String> ownTopics,
            BackPressureQueue<BatchQueueItem> queue, dev.streamtrain.core.events.TrainingPosition resumeAt) {
        var ingest = cfg.ingest();
        var routes = trainRoutes(cfg, ownTopics);
        var verticle = new TrainIngestVerticle(cfg.job(), routes,
                ConsumerSettings.of(servers, ingest.groupId(), cfg.kafka().consumer()),
                deadLetters(cfg, servers),
                queue, ingest.stopAtEnd(), resumeAt.offsets())
                .passOver(resumeAt.handledAbove())
                .startAt(ingest.start())
                .failOnBadRecord(ingest.onError().equals("fail"))
                .topicRefreshEvery(ingest.topicRefreshMillis());
        if (routes.anyAssembles()) {
            verticle.assembleExamples(ingest.batchSize(), ingest.maxWaitMillis());
        }
        if (ingest.interleave().equals("weighted")) {
            // a small lane per topic (its own read-ahead, outside the queue's byte budget): the weights act at once
            verticle.interleaveByWeight(Math.min(ingest.queueCapacity(), 32));
        }
        return verticle;
    }

    /** The job's dead-letter publisher, made on the Vert.x of the verticle that writes with it. */
    private static java.util.function.Function<Vertx, DeadLetterPublisher> deadLetters(JobConfig cfg, String servers) {
        return vx -> new DeadLetterPublisher(vx, servers, cfg.kafka().producer(), cfg.ingest().deadLetterTopic());
    }

    /** What every record must fit: the model's width and outputs, the non-finite policy, the size limit. */
    private static RecordValidator.Expectation expectation(JobConfig cfg) {
        var model = cfg.model();
        var ingest = cfg.ingest();
        return new RecordValidator.Expectation(model.inputs(), model.classes(), model.head(), ingest.nonFinite(),
                ingest.clipValue(), ingest.maxRecordBytes());
    }

    private void deploy(Deployable verticle) throws Exception {
        vertx.deployVerticle(verticle).await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void collectResult() {
        var bus = vertx.eventBus();
        var finished = new CompletableFuture<TrainingFinished>();
        var deployed = new CompletableFuture<ModelDeployed>();
        var committed = new CompletableFuture<OffsetsCommitted>();
        bus.<TrainingFinished>consumer(Addresses.TRAINING_FINISHED, m -> {
            finished.complete(m.body());
            if (m.body().progress().isEmpty()) {
                committed.complete(null);
            }
        });
        bus.<ModelDeployed>consumer(Addresses.MODEL_DEPLOYED, m -> finished.thenAccept(f -> {
            if (f.nothingTrained() || f.checkpoint().isEmpty() || m.body().updates() == DeployVerticle.modelUpdates(f)) {
                deployed.complete(m.body()); // the final model's (continuous deployment publishes others before)
            }
        }));
        var rollbacks = new java.util.concurrent.CopyOnWriteArrayList<RolledBack>();
        var alerts = new java.util.concurrent.ConcurrentSkipListMap<String, Long>();
        bus.<RolledBack>consumer(Addresses.ROLLED_BACK, m -> rollbacks.add(m.body()));
        bus.<Alert>consumer(Addresses.ALERTS, m -> alerts.merge(m.body().kind(), m.body().repeats(), Long::sum));
        bus.<IngestFailed>consumer(Addresses.INGEST_FAILED,
                m -> result.completeExceptionally(new IllegalStateException(m.body().describe())));
        bus.<OffsetsCommitted>consumer(Addresses.OFFSETS_COMMITTED, m -> finished.thenAccept(f -> {
            if (m.body().update() == f.updates()) {
                committed.complete(m.body());
            }
        }));
        CompletableFuture.allOf(finished, deployed, committed).thenRun(() -> result.complete(
                new Result(finished.join(), deployed.join(), committed.join(), servingPort, rollbacks, alerts)));
    }

    /** Completes when a bounded run finished, committed and deployed. */
    public CompletableFuture<Result> result() {
        return result;
    }

    /** The Vert.x the job runs on (tests watch its event loops and bus). */
    Vertx vertx() {
        return vertx;
    }

    /** The model server's port (its actual one when the job asked for any free port). */
    int servingPort() {
        return servingPort;
    }

    /** The training topics, in words (for messages). */
    String sources() {
        return sources;
    }

    /** Publishes a fact on the job's event bus (forwarded to its topics like the others). */
    void publish(String address, Object event) {
        vertx.eventBus().publish(address, event);
    }

    /** The dashboard's address (with the token when the views need it). */
    String dashboardUrl() {
        return dashboardUrl;
    }

    /** The Kafka cluster the job runs on. */
    public KafkaCluster cluster() {
        return cluster;
    }

    private void closeVertx() {
        try {
            vertx.close().await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway: the broker must still stop
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeVertx();
        cluster.close();
    }
}
