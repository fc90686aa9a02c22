package dev.streamtrain.deploy;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ModelDeployed;
import dev.streamtrain.core.events.PredictReply;
import dev.streamtrain.core.events.PredictRequest;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.model.AtomicFiles;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When training finishes: reads the final checkpoint's model snapshot, refuses a non-finite one, exports it to ONNX,
 * runs ONNX Runtime on the validation rows and compares with the trainer's own (DJL) probabilities, obtained over
 * {@link Addresses#TRAINER_PREDICT}; serves it only when the largest difference is within {@link Parity#TOLERANCE}.
 * Publishes the outcome as {@link ModelDeployed}. Reads checkpoints, never trainer internals.
 */
public final class DeployVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(DeployVerticle.class);
    private final String job;
    private final Path modelsDir;
    private final String host;
    private final int port;
    private final ValidationSet validationSet;
    private ModelHttpServer server;
    private int actualPort;

    /**
     * @param job job name
     * @param modelsDir where exported versions are written ({@code <version>/model.onnx})
     * @param host HTTP bind address
     * @param port HTTP port (0: any free port)
     * @param validationSet rows to verify the export on
     */
    public DeployVerticle(String job, Path modelsDir, String host, int port, ValidationSet validationSet) {
        this.job = job;
        this.modelsDir = modelsDir;
        this.host = host;
        this.port = port;
        this.validationSet = validationSet;
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        server = new ModelHttpServer(vertx);
        vertx.eventBus().<TrainingFinished>consumer(Addresses.TRAINING_FINISHED, m -> deploy(m.body()));
        return vertx.executeBlocking(() -> { // what an export cut short by a crash left behind
            AtomicFiles.deleteLeftovers(modelsDir);
            return null;
        }).compose(v -> server.listen(host, port)).onSuccess(p -> actualPort = p);
    }

    /** The port the model server listens on. */
    public int port() {
        return actualPort;
    }

    private void deploy(TrainingFinished finished) {
        String version = String.format("v%09d", modelUpdates(finished));
        Path onnxPath = modelsDir.resolve(version).resolve("model.onnx");
        String url = "http://" + host + ":" + actualPort;
        if (finished.nothingTrained() || finished.checkpoint().isEmpty()) {
            LOG.error("nothing trained ({}): no model exported", finished.stopReason());
            publish(new ModelDeployed(job, version, 0, "", 0, Double.NaN, false,
                    "nothing trained: no update was applied, so no model is exported", url));
            return;
        }
        vertx.executeBlocking(() -> {
            ModelSnapshot snapshot = ModelSnapshotFiles.read(Path.of(finished.checkpoint()));
            if (!snapshot.isFinite()) {
                throw new IllegalStateException("the checkpoint's parameters are not finite: refusing to export");
            }
            byte[] onnx = OnnxExporter.export(snapshot, "0.1.0");
            Path temp = AtomicFiles.tempDirFor(onnxPath.getParent());
            AtomicFiles.write(temp.resolve("model.onnx"), onnx);
            dev.streamtrain.core.checkpoint.CrashPoints.reached(dev.streamtrain.core.checkpoint.CrashPoints.EXPORT);
            Files.copy(Path.of(finished.checkpoint()).resolve(ModelSnapshotFiles.SPEC_FILE),
                    temp.resolve(ModelSnapshotFiles.SPEC_FILE));
            AtomicFiles.publish(temp, onnxPath.getParent());
            return new Exported(new OnnxModel(onnx, snapshot.spec().inputs()), snapshot.spec().head());
        }).compose(exported -> verify(exported.model(), exported.head())
                .map(v -> new Verified(exported.model(), v)))
                .onComplete(ar -> finishDeploy(ar, finished, version, onnxPath, url));
    }

    private record Exported(OnnxModel model, String head) {
    }

    /**
     * The updates the exported weights include: the checkpoint's own count ({@code ckpt-<update>}, README "Wire
     * formats"), which differs from the run's when early stopping restored the best checkpoint.
     */
    static long modelUpdates(TrainingFinished finished) {
        String name = Path.of(finished.checkpoint()).getFileName().toString();
        return name.matches("ckpt-\\d+") ? Long.parseLong(name.substring(5)) : finished.updates();
    }

    private record Verified(OnnxModel model, Verification verification) {
    }

    private void finishDeploy(io.vertx.core.AsyncResult<Verified> ar, TrainingFinished finished, String version,
            Path onnxPath, String url) {
        if (ar.failed()) {
            LOG.error("export of {} failed: {}", version, ar.cause().getMessage());
            publish(new ModelDeployed(job, version, modelUpdates(finished), onnxPath.toString(), 0, Double.NaN,
                    false, ar.cause().getMessage(), url));
            return;
        }
        OnnxModel model = ar.result().model();
        Verification v = ar.result().verification();
        boolean ok = v.maxAbsDiff() <= Parity.TOLERANCE;
        String message = ok ? "ok" : "ONNX Runtime and the trainer disagree by " + v.maxAbsDiff()
                + " (tolerance " + Parity.TOLERANCE + "): not served";
        if (!ok) {
            closeQuietly(model);
        } else {
            server.serve(new ServedModel(version, modelUpdates(finished), v.classes(), v.head(), model,
                    finished.validation(), v.maxAbsDiff(), onnxPath.toString()));
        }
        publish(new ModelDeployed(job, version, modelUpdates(finished), onnxPath.toString(), v.rows(),
                v.maxAbsDiff(), ok, message, url));
    }

    private record Verification(int rows, int classes, String head, double maxAbsDiff) {
    }

    /** Rows of seeded random inputs the export is verified on when there are no validation rows. */
    static final int PARITY_ROWS = 256;

    private Future<Verification> verify(OnnxModel model, String head) {
        List<MiniBatch> batches = validationSet.snapshot();
        int features = model.inputs();
        int rows;
        float[] x;
        if (batches.isEmpty()) {
            // no validation rows (a prequential-only job): parity compares two engines on the same inputs, so seeded
            // standard-normal rows serve as well
            rows = PARITY_ROWS;
            x = new float[rows * features];
            java.util.Random rnd = new java.util.Random(42);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
        } else {
            rows = batches.stream().mapToInt(MiniBatch::rows).sum();
            x = new float[rows * features];
            int at = 0;
            for (MiniBatch b : batches) {
                System.arraycopy(b.x(), 0, x, at, b.x().length);
                at += b.x().length;
            }
        }
        return vertx.eventBus().<CommandReply>request(Addresses.TRAINER_CONTROL,
                new TrainerCommand.Predict(new PredictRequest(rows, features, x)),
                new DeliveryOptions().setSendTimeout(60_000)).compose(reply -> {
                    if (!(reply.body() instanceof CommandReply.Predicted predicted)) {
                        return Future.failedFuture("the trainer refused to predict: "
                                + ((CommandReply.Refused) reply.body()).reason());
                    }
                    PredictReply trainer = predicted.prediction();
                    return vertx.executeBlocking(() -> new Verification(rows, trainer.classes(), head,
                            Parity.maxAbsDiff(model.predict(x, rows), trainer.probabilities())));
                });
    }

    private static void closeQuietly(OnnxModel model) {
        try {
            model.close();
        } catch (Exception e) {
            LOG.warn("closing a rejected ONNX session failed", e);
        }
    }

    private void publish(ModelDeployed event) {
        vertx.eventBus().publish(Addresses.MODEL_DEPLOYED, event);
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
