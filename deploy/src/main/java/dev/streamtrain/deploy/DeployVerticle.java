package dev.streamtrain.deploy;

import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.config.DeploySettings;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ModelDeployed;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.AtomicFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports, verifies and serves models while training goes on (continuous deployment) and when a bounded run ends.
 *
 * <p>Candidates: good checkpoints on the {@link CandidateCadence} ({@link Addresses#CHECKPOINT_SAVED}), and the model
 * a run ends with ({@link Addresses#TRAINING_FINISHED}). Each is exported and run off the event loop and the trainer
 * thread ({@link CandidateExport}); its ONNX Runtime outputs must agree with a float64 reference pass of the same
 * weights within {@link Parity#judge} (the final model is also compared with the trainer's own outputs, obtained over
 * {@link Addresses#TRAINER_CONTROL}, when the trainer is still there to ask). A verified candidate is promoted when it
 * is the first or beats the serving version ({@link PromotionPolicy}); the swap is atomic and requests in flight
 * finish on the old session ({@link ModelHttpServer#serve}). Outcomes: {@link ModelDeployed} for every candidate,
 * {@link dev.streamtrain.core.events.ModelPromotion} for every verified one. One candidate at a time; a periodic one
 * that falls due while another runs is skipped (the next checkpoint is tried). Versions: {@link VersionStore}.
 */
public final class DeployVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(DeployVerticle.class);
    private final String job;
    private final String host;
    private final int port;
    private final VerificationRows verificationRows;
    private final dev.streamtrain.core.batch.ValidationSet validationSet;
    private final DeploySettings settings;
    private final VersionStore store;
    private final Path modelsDir;
    private final CandidateCadence cadence;
    private final PromotionPolicy policy;
    private final RegressionWatch watch;
    private ModelHttpServer server;
    private int actualPort;
    private Future<?> inFlight = Future.succeededFuture();
    private boolean busy;
    private CheckpointSaved lastSaved;
    private volatile List<VersionStore.Info> versions = List.of();
    private String configHash = "";
    private String token = "";
    private final List<java.util.function.Consumer<io.vertx.ext.web.Router>> routes = new java.util.ArrayList<>();
    private ExportTimes times;

    /**
     * @param job job name
     * @param modelsDir where exported versions are written ({@code <version>/model.onnx})
     * @param host HTTP bind address
     * @param port HTTP port (0: any free port)
     * @param validationSet rows to verify exports on (seeded random rows while it is empty)
     * @param settings cadence and promotion policy
     */
    public DeployVerticle(String job, Path modelsDir, String host, int port,
            dev.streamtrain.core.batch.ValidationSet validationSet, DeploySettings settings) {
        this.job = job;
        this.modelsDir = modelsDir;
        this.host = host;
        this.port = port;
        this.verificationRows = new VerificationRows(validationSet);
        this.validationSet = validationSet;
        this.settings = settings;
        this.store = new VersionStore(modelsDir);
        this.cadence = new CandidateCadence(settings);
        this.policy = new PromotionPolicy(settings);
        this.watch = new RegressionWatch(settings, validationSet);
        this.times = new ExportTimes(new io.micrometer.core.instrument.composite.CompositeMeterRegistry(), job); // none
    }

    /**
     * The bearer token {@code POST /v1/model/rollback} requires (set before deployment; empty: the control endpoints
     * refuse every request — the app generates one when the job names none).
     */
    public DeployVerticle controlToken(String token) {
        this.token = token;
        return this;
    }

    /** Routes another component (the dashboard) adds to the model server (set before deployment). */
    public DeployVerticle routes(java.util.function.Consumer<io.vertx.ext.web.Router> routes) {
        this.routes.add(routes);
        return this;
    }

    /** Where the export-and-verification timer goes (set before deployment; default: nowhere). */
    public DeployVerticle meters(io.micrometer.core.instrument.MeterRegistry registry) {
        this.times = new ExportTimes(registry, job);
        return this;
    }

    /** The job configuration's hash, recorded in every export's ONNX metadata (set before deployment). */
    public DeployVerticle configHash(String hash) {
        this.configHash = hash;
        return this;
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        server = new ModelHttpServer(vertx);
        server.versions(() -> VersionStore.describe(versions, server.current()));
        server.token(token);
        routes.forEach(server::mount);
        server.control("rollback", () -> rollBackServing("requested over HTTP", server.current()));
        server.control("export", this::exportNow);
        vertx.eventBus().<TrainingFinished>consumer(Addresses.TRAINING_FINISHED, m -> finalCandidate(m.body()));
        vertx.eventBus().<CheckpointSaved>consumer(Addresses.CHECKPOINT_SAVED, m -> {
            lastSaved = m.body();
            if (settings.continuous()) {
                periodic(m.body());
            }
        });
        if (watch.enabled()) { // the validation rows move on with each evaluation: measure the serving version
            vertx.eventBus().consumer(Addresses.VALIDATION_METRICS, m -> checkRegression());
        }
        return vertx.executeBlocking(() -> { // what an export cut short by a crash left behind; what served before
            AtomicFiles.deleteLeftovers(modelsDir);
            versions = store.list();
            return ServingRollback.lastServed(store);
        }).compose(last -> {
            if (last != null) { // a restart serves at once what served before, until a candidate beats it
                server.serve(last);
                LOG.info("serving {} again (the version that served before the restart)", last.version());
            }
            return server.listen(host, port);
        }).onSuccess(p -> actualPort = p);
    }

    /** The port the model server listens on. */
    public int port() {
        return actualPort;
    }

    /** The model being served, or null. */
    public ServedModel serving() {
        return server == null ? null : server.current();
    }

    private void periodic(CheckpointSaved saved) {
        long now = System.currentTimeMillis();
        if (busy || saved.update() <= 0 || !cadence.due(saved.update(), now)) { // (update 0: nothing trained yet)
            return;
        }
        busy = true;
        Candidate c = new Candidate(Path.of(saved.path()), saved.update(), true, null);
        inFlight = inFlight.transform(ar -> candidate(c)).onComplete(ar -> busy = false);
    }

    private void finalCandidate(TrainingFinished finished) {
        if (finished.nothingTrained() || finished.checkpoint().isEmpty()) {
            LOG.error("nothing trained ({}): no model exported", finished.stopReason());
            publish(new ModelDeployed(job, VersionStore.label(0), 0, "", 0, Double.NaN, false,
                    "nothing trained: no update was applied, so no model is exported", url(), "not_exported"));
            return;
        }
        Candidate c = new Candidate(Path.of(finished.checkpoint()), modelUpdates(finished), false, finished);
        inFlight = inFlight.transform(ar -> candidate(c)); // after the one in flight, whatever its outcome
    }

    /**
     * One candidate.
     *
     * @param checkpoint its checkpoint directory
     * @param updates the updates its weights include
     * @param periodic a candidate while training goes on (must be a good checkpoint; the trainer is not asked)
     * @param finished the run's end, for the final model (else null)
     */
    private record Candidate(Path checkpoint, long updates, boolean periodic, TrainingFinished finished) {
    }

    /**
     * The updates the exported weights include: the checkpoint's own count ({@code ckpt-<update>}, README "Wire
     * formats"), which differs from the run's when early stopping restored the best checkpoint.
     */
    public static long modelUpdates(TrainingFinished finished) {
        String name = Path.of(finished.checkpoint()).getFileName().toString();
        return name.matches("ckpt-\\d+") ? Long.parseLong(name.substring(5)) : finished.updates();
    }

    private Future<ModelDeployed> candidate(Candidate c) {
        long started = System.currentTimeMillis();
        return vertx.executeBlocking(() -> store.labelFor(c.updates(), CheckpointManifest.idOf(c.checkpoint())))
                .compose(version -> candidate(c, version, started), e -> Future.succeededFuture(
                        refused(c, VersionStore.label(c.updates()), e, started)));
    }

    private Future<ModelDeployed> candidate(Candidate c, String version, long started) {
        java.util.Map<String, String> metadata = java.util.Map.of(CandidateExport.PREFIX + "job", job,
                CandidateExport.PREFIX + "version", version, CandidateExport.PREFIX + "config_hash", configHash);
        return vertx.executeBlocking(() -> CandidateExport.run(c.checkpoint(), c.periodic(), verificationRows,
                metadata))
                .compose(exported -> TrainerParity.verdict(vertx, exported, !c.periodic())
                        .compose(trainer -> vertx.executeBlocking(() -> {
                    ValidationMetrics metrics = c.finished() != null ? c.finished().validation()
                            : exported.manifest() == null ? null : exported.manifest().validation();
                    Parity.Verdict onnx = exported.verdict();
                    double parity = Math.max(onnx.maxAbsDiff(), trainer.maxAbsDiff());
                    boolean passed = onnx.passed() && trainer.passed();
                    var compared = MetricComparison.of(settings.monitor(), exported, metrics, server.current(),
                            policy);
                    VersionStore.Info info = new VersionStore.Info(version, c.updates(), c.checkpoint().toString(),
                            settings.monitor(), compared.candidate(), exported.rows().count(), parity, onnx.bound(),
                            "candidate", "", started, metrics, exported.manifest() == null ? ""
                                    : exported.manifest().id());
                    store.write(info, exported.onnx(), c.checkpoint());
                    times.record(started, "verified");
                    return new Verified(exported, info, metrics, passed, compared);
                })).onFailure(e -> exported.model().closeQuietly()))
                .compose(this::decide, e -> Future.succeededFuture(refused(c, version, e, started)));
    }

    private record Verified(CandidateExport.Exported exported, VersionStore.Info info, ValidationMetrics metrics,
            boolean passed, MetricComparison compared) {
    }

    private Future<ModelDeployed> decide(Verified v) {
        VersionStore.Info info = v.info();
        OnnxModel model = v.exported().model();
        cadence.exported(info.updates(), System.currentTimeMillis()); // decided now: the next one after the cadence
        ServedModel current = server.current();
        if (current != null && current.version().equals(info.version())) {
            model.closeQuietly(); // the final model of a run whose last periodic candidate it already was
            return settle(info.decided("promoted", "already serving"), true, null);
        }
        if (!v.passed()) {
            String why = "ONNX Runtime and the trainer's weights disagree by " + info.parityMaxAbsDiff()
                    + " (bound " + info.parityBound() + "): not served";
            LOG.error("{} {}", info.version(), why);
            alert("export_failed", info.version() + " was not served: " + why, info.updates(),
                    info.parityMaxAbsDiff());
            model.closeQuietly();
            return settle(info.decided("failed", why), false, null);
        }
        PromotionPolicy.Decision d = policy.decide(info, current, v.compared().serving(), v.compared().basis());
        if (!d.promote()) {
            LOG.info("{} not served: {}", info.version(), d.reason());
            model.closeQuietly();
            return settle(info.decided("rejected", d.reason()), false, d);
        }
        ServedModel promoted = new ServedModel(info.version(), info.updates(), v.exported().snapshot().spec().classes(),
                v.exported().snapshot().spec().head(), model, v.metrics(), info.parityMaxAbsDiff(),
                store.onnxPath(info.version()).toString());
        if (current != null && settings.shadowSeconds() > 0) {
            return shadow(promoted, info, current);
        }
        return promote(promoted, info, d);
    }

    private Future<ModelDeployed> promote(ServedModel promoted, VersionStore.Info info, PromotionPolicy.Decision d) {
        server.serve(promoted);
        LOG.info("serving {} ({})", info.version(), d.reason());
        startedServing(info.version());
        return settle(info.decided("promoted", d.reason()), true, d);
    }

    /** Runs the candidate in the serving version's shadow first ({@link ShadowTrial}); then promotes or rejects. */
    private Future<ModelDeployed> shadow(ServedModel candidate, VersionStore.Info info, ServedModel serving) {
        ShadowTrial trial = new ShadowTrial(candidate, serving, settings);
        server.shadow(trial);
        LOG.info("{} runs in the shadow of {} for {} s", info.version(), serving.version(), settings.shadowSeconds());
        return trial.run(vertx, validationSet).compose(o -> {
            server.shadow(null);
            boolean promote = o.promote() && server.current() == serving; // a rollback meanwhile: judged on another
            String why = promote || !o.promote() ? o.reason() : "serving changed during the shadow period";
            var d = new PromotionPolicy.Decision(promote, why, serving.version(), o.serving());
            if (promote) {
                return promote(candidate, info, d);
            }
            LOG.info("{} not served: {}", info.version(), why);
            candidate.onnx().retire(); // closed once the mirrored requests are done
            return settle(info.decided("rejected", why), false, d);
        });
    }

    /** Records the decision on disk and prunes old versions, then publishes the events (listings are current). */
    private Future<ModelDeployed> settle(VersionStore.Info info, boolean served, PromotionPolicy.Decision d) {
        ServedModel current = server.current();
        return vertx.executeBlocking(() -> {
            store.update(info);
            store.prune(settings.keep(), current == null ? "" : current.version());
            versions = store.list();
            return null;
        }).transform(ar -> {
            if (ar.failed()) {
                LOG.warn("recording version {} failed: {}", info.version(), ar.cause().getMessage());
            }
            if (d != null) {
                vertx.eventBus().publish(Addresses.MODEL_PROMOTION, d.event(job, info));
            }
            ModelDeployed outcome = new ModelDeployed(job, info.version(), info.updates(),
                    store.onnxPath(info.version()).toString(), info.rows(), info.parityMaxAbsDiff(), served,
                    served ? "ok" : info.reason(), url(), info.status());
            publish(outcome);
            return Future.succeededFuture(outcome);
        });
    }

    /**
     * A candidate that could not be exported or verified (published), or a checkpoint that was not one (only
     * returned: the cadence stays due, the next checkpoint is tried).
     */
    private ModelDeployed refused(Candidate c, String version, Throwable e, long started) {
        boolean notOne = c.periodic() && (e instanceof CandidateExport.NotACandidate
                || !java.nio.file.Files.exists(c.checkpoint())); // the final model is always answered for
        String why = ExportFailures.describe(e);
        ModelDeployed outcome = new ModelDeployed(job, version, c.updates(), store.onnxPath(version).toString(), 0,
                Double.NaN, false, why, url(), "not_exported");
        if (notOne) {
            LOG.debug("{}: {}", version, why);
        } else {
            LOG.error("export of {} failed: {}", version, why, e);
            alert("export_failed", version + " was not served: " + why, c.updates(), Double.NaN);
            cadence.exported(c.updates(), System.currentTimeMillis());
            times.record(started, "failed");
            publish(outcome);
        }
        return outcome;
    }

    /** Exports the newest saved checkpoint now, whatever the cadence ({@code POST /v1/model/export}). */
    public Future<JsonObject> exportNow() {
        CheckpointSaved saved = lastSaved;
        if (saved == null || saved.update() <= 0) {
            return Future.failedFuture("no checkpoint with training in it has been saved yet");
        }
        Candidate c = new Candidate(Path.of(saved.path()), saved.update(), true, null);
        busy = true; // a periodic candidate meanwhile would be the same checkpoint
        Future<ModelDeployed> outcome = inFlight.transform(ar -> candidate(c)); // after the one in flight
        inFlight = outcome.onComplete(ar -> busy = false);
        return outcome.map(d -> new JsonObject().put("version", d.version()).put("served", d.served())
                .put("message", d.message()).put("parity_max_abs_diff",
                        Double.isNaN(d.parityMaxAbsDiff()) ? null : d.parityMaxAbsDiff()));
    }

    /**
     * Serves the newest version promoted before {@code expected} again, if {@code expected} still serves
     * ({@link ServingRollback}; events and bookkeeping there).
     */
    public Future<JsonObject> rollBackServing(String reason, ServedModel expected) {
        return ServingRollback.rollBack(vertx, server, store, job, expected, reason).compose(json -> {
            startedServing(json.getString("serving"));
            return vertx.executeBlocking(store::list).transform(listed -> {
                versions = listed.succeeded() ? listed.result() : versions; // says what serves before the answer does
                return Future.succeededFuture(json); // rolled back, listed or not: never a library's failure text
            });
        });
    }

    /** A version started serving: its live metric is measured now, as the mark later ones are held to. */
    private void startedServing(String version) {
        watch.started(version);
        checkRegression();
    }

    private void checkRegression() {
        ServedModel measured = server.current();
        watch.check(vertx, measured).onSuccess(r -> {
            if (r != null) {
                alert("serving_regression", r.reason(), measured.updates(), r.now());
                rollBackServing(r.reason(), measured).onFailure(e -> LOG.error("{}; serving cannot go back: {}",
                        r.reason(), e.getMessage()));
            }
        }).onFailure(e -> LOG.warn("measuring the serving version failed: {}", e.getMessage()));
    }

    private void alert(String kind, String message, long update, double value) {
        vertx.eventBus().publish(Addresses.ALERTS, new dev.streamtrain.core.events.Alert(job, kind, "warning", message,
                update, value, System.currentTimeMillis()));
    }

    private String url() {
        return "http://" + host + ":" + actualPort;
    }

    private void publish(ModelDeployed event) {
        vertx.eventBus().publish(Addresses.MODEL_DEPLOYED, event);
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
