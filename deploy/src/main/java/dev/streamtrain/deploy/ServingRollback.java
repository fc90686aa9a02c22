package dev.streamtrain.deploy;

import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.model.ModelSpec;
import java.nio.file.Files;
import java.util.List;

/**
 * Finds and loads the version serving goes back to: the newest version promoted before the serving one that is still
 * on disk ({@code deploy.keep} bounds how far back that can go). Its ONNX file was verified when it was promoted; the
 * session is created and run once (warmed up) here, off the event loop. Blocking.
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
     * @param store the versions on disk
     * @param serving the serving version's label
     * @return the version to serve, loaded
     * @throws NothingEarlier when no earlier promoted version is on disk
     */
    static ServedModel load(VersionStore store, String serving) throws Exception {
        List<VersionStore.Info> all = store.list();
        long servingSince = all.stream().filter(i -> i.version().equals(serving)).mapToLong(VersionStore.Info::createdMillis)
                .findFirst().orElse(Long.MAX_VALUE);
        VersionStore.Info target = null;
        for (VersionStore.Info i : all) { // oldest first: the last match is the newest earlier one
            if (i.status().equals("promoted") && !i.version().equals(serving) && i.createdMillis() < servingSince) {
                target = i;
            }
        }
        if (target == null) {
            throw new NothingEarlier("no version promoted before " + serving + " is on disk to roll back to");
        }
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
