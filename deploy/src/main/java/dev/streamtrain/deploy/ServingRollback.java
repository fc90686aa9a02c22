package dev.streamtrain.deploy;

import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.model.ModelSpec;
import java.nio.file.Files;
import java.util.List;

/**
 * Finds and loads the version serving goes back to: the newest version promoted before the serving one that is still
 * on disk ({@code deploy.keep} bounds how far back that can go), or, at start, the one that served last. Its ONNX
 * file was verified when it was promoted; the session is created and run once (warmed up) here, off the event loop.
 * Blocking.
 */
final class ServingRollback {
    /** Nothing to roll back to, in the product's words. */
    static final class NothingEarlier extends Exception {
        NothingEarlier(String message) {
            super(message);
        }
    }

    private ServingRollback() {
    }

    /**
     * Swaps serving back from {@code from} to the version before it, unless {@code from} stopped serving meanwhile
     * (a promotion came first: then nothing changes); publishes {@code model_rolled_back} and marks {@code from}
     * rolled back on disk. Call on the verticle's context.
     *
     * @return what serves now: {@code {"rolled_back_from": ..., "serving": ...}}
     */
    static io.vertx.core.Future<io.vertx.core.json.JsonObject> rollBack(io.vertx.core.Vertx vertx,
            ModelHttpServer server, VersionStore store, String job, ServedModel from, String reason) {
        if (from == null) {
            return io.vertx.core.Future.failedFuture("nothing is served yet");
        }
        return vertx.executeBlocking(() -> load(store, from.version())).compose(to -> {
            if (server.current() != from) { // loading took a while: a promotion got there first
                to.onnx().retire(); // never served: closed at once
                return io.vertx.core.Future.failedFuture(from.version() + " no longer serves ("
                        + server.current().version() + " does): nothing rolled back");
            }
            server.serve(to);
            org.slf4j.LoggerFactory.getLogger(ServingRollback.class).warn("serving rolled back from {} to {} ({})",
                    from.version(), to.version(), reason);
            vertx.eventBus().publish(dev.streamtrain.core.events.Addresses.MODEL_ROLLED_BACK,
                    new dev.streamtrain.core.events.ModelRolledBack(job, from.version(), to.version(), reason,
                            System.currentTimeMillis()));
            var now = new io.vertx.core.json.JsonObject().put("rolled_back_from", from.version())
                    .put("serving", to.version());
            return vertx.executeBlocking(() -> { // bookkeeping: the swap stands whatever happens here
                VersionStore.Info info = store.info(from.version());
                if (info != null) {
                    store.update(info.decided("rolled_back", reason));
                }
                return now;
            }).recover(e -> {
                org.slf4j.LoggerFactory.getLogger(ServingRollback.class).warn(
                        "marking {} rolled back on disk failed: {}", from.version(), e.getMessage());
                return io.vertx.core.Future.succeededFuture(now);
            });
        }, e -> io.vertx.core.Future.failedFuture(e instanceof NothingEarlier ? e.getMessage()
                : "rolling back failed: " + ExportFailures.describe(e)));
    }

    /**
     * @param store the versions on disk
     * @param serving the serving version's label
     * @return the version to serve, loaded
     * @throws NothingEarlier when no earlier promoted version is on disk
     */
    static ServedModel load(VersionStore store, String serving) throws Exception {
        List<VersionStore.Info> all = store.list();
        long servingSince = all.stream().filter(i -> i.version().equals(serving))
                .mapToLong(VersionStore.Info::createdMillis).findFirst().orElse(Long.MAX_VALUE);
        VersionStore.Info target = null;
        for (VersionStore.Info i : all) { // oldest first: the last match is the newest earlier one
            if (i.status().equals("promoted") && !i.version().equals(serving) && i.createdMillis() < servingSince) {
                target = i;
            }
        }
        if (target == null) {
            throw new NothingEarlier("no version promoted before " + serving + " is on disk to roll back to");
        }
        return open(store, target);
    }

    /**
     * The version that served last before a restart: the newest promoted one on disk (a version rolled back from is
     * marked so, the one it went back to stays promoted), loaded; null when there is none.
     */
    static ServedModel lastServed(VersionStore store) throws Exception {
        VersionStore.Info newest = null;
        for (VersionStore.Info i : store.list()) { // oldest first
            if (i.status().equals("promoted")) {
                newest = i;
            }
        }
        return newest == null ? null : open(store, newest);
    }

    /** Loads a version from disk (verified when it was promoted) and runs it once, off the event loop. */
    private static ServedModel open(VersionStore store, VersionStore.Info target) throws Exception {
        var dir = store.onnxPath(target.version()).getParent();
        ModelSpec spec = ModelSnapshotFiles.readSpec(dir);
        OnnxModel model = new OnnxModel(Files.readAllBytes(store.onnxPath(target.version())), spec.inputs());
        try {
            model.predict(new float[spec.inputs()], 1); // warmed up before it takes requests
        } catch (Exception e) {
            model.close();
            throw e;
        }
        return new ServedModel(target.version(), target.updates(), spec.classes(), spec.head(), model,
                target.validation(), target.parityMaxAbsDiff(), store.onnxPath(target.version()).toString());
    }
}
