package dev.streamtrain.trainer;

import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.checkpoint.Lineage;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.model.AtomicFiles;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.wire.Safetensors;
import dev.streamtrain.core.wire.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes checkpoints atomically as {@code ckpt-<update>} directories: the model snapshot, {@code optimizer.safetensors}
 * (optimizer buffers by parameter name) and {@code state.json} (a {@link TrainerState}); keeps the newest
 * {@code keep}. {@link #readState} and {@link #readOptimizer} read them back.
 */
final class CheckpointWriter {
    static final String STATE_FILE = "state.json";
    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    static final String EMA_FILE = "ema.safetensors";
    /**
     * The live training weights, when the model files hold others (the weight average under ema-for-eval): resume and
     * rollback continue training from these.
     */
    static final String TRAINING_WEIGHTS_FILE = "training-weights.safetensors";
    /** Written into a checkpoint found suspect after it was saved (a critical alert about an update it includes). */
    static final String SUSPECT_FILE = CheckpointManifest.SUSPECT_FILE;
    private final Path root;
    private final int keep;

    CheckpointWriter(Path root, int keep) {
        this.root = root;
        this.keep = keep;
    }

    /**
     * @param weightAverage the EMA of the weights by name (empty when the trick is off: no file)
     */
    Path save(ModelSnapshot snapshot, Map<String, Tensor> optimizerState, Map<String, Tensor> weightAverage,
            TrainerState state) throws IOException {
        return save(snapshot, optimizerState, weightAverage, Map.of(), state, null, p -> false);
    }

    /**
     * As above, with a manifest (null: none): written last, with every file's checksum, and appended to the lineage
     * log before the checkpoint is published. Pruning never deletes a checkpoint {@code protect} accepts (the newest
     * good one, the best one). A failed write (a full disk) leaves no partial checkpoint behind.
     */
    Path save(ModelSnapshot snapshot, Map<String, Tensor> optimizerState, Map<String, Tensor> weightAverage,
            Map<String, Tensor> trainingWeights, TrainerState state, CheckpointManifest manifest,
            java.util.function.Predicate<Path> protect) throws IOException {
        Path target = target(snapshot.updates());
        Path temp = AtomicFiles.tempDirFor(target);
        try {
            writeFiles(temp, snapshot, optimizerState, weightAverage, trainingWeights, state);
            if (manifest != null) {
                manifest.withFilesOf(temp).writeTo(temp);
                Lineage.append(root, manifest);
            }
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(temp);
            throw e;
        }
        if (Files.exists(target)) { // a checkpoint of a rolled-back future with the same update count
            AtomicFiles.discard(target);
        }
        AtomicFiles.publish(temp, target);
        prune(protect.or(target::equals));
        return target;
    }

    /** The directory of the checkpoint that includes {@code updates} updates. */
    Path target(long updates) {
        return root.resolve(String.format("ckpt-%012d", updates));
    }

    private static void writeFiles(Path temp, ModelSnapshot snapshot, Map<String, Tensor> optimizerState,
            Map<String, Tensor> weightAverage, Map<String, Tensor> trainingWeights, TrainerState state)
            throws IOException {
        ModelSnapshotFiles.write(snapshot, temp);
        AtomicFiles.write(temp.resolve(OPTIMIZER_FILE), Safetensors.encode(optimizerState));
        dev.streamtrain.core.checkpoint.CrashPoints.reached(dev.streamtrain.core.checkpoint.CrashPoints.CHECKPOINT_FILES);
        if (!weightAverage.isEmpty()) {
            AtomicFiles.write(temp.resolve(EMA_FILE), Safetensors.encode(weightAverage));
        }
        if (!trainingWeights.isEmpty()) {
            AtomicFiles.write(temp.resolve(TRAINING_WEIGHTS_FILE), Safetensors.encode(trainingWeights));
        }
        AtomicFiles.write(temp.resolve(STATE_FILE), Events.mapper().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(state));
    }

    /** Every complete checkpoint under {@code root}, oldest first. */
    static List<Path> all(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(root)) {
            return list.filter(p -> p.getFileName().toString().startsWith("ckpt-"))
                    .filter(p -> Files.exists(p.resolve(STATE_FILE))).sorted().toList();
        }
    }

    /** True when a checkpoint (whose {@code state} was read already) was saved as good and not marked suspect since. */
    static boolean isGood(Path checkpoint, TrainerState state) {
        return state.isGood() && !Files.exists(checkpoint.resolve(SUSPECT_FILE));
    }

    /** Marks a checkpoint as not good (it is kept for inspection, never resumed from or exported). */
    static void markSuspect(Path checkpoint, String why) throws IOException {
        AtomicFiles.write(checkpoint.resolve(SUSPECT_FILE), why.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static TrainerState readState(Path checkpoint) throws IOException {
        return Events.mapper().readValue(checkpoint.resolve(STATE_FILE).toFile(), TrainerState.class);
    }

    static Map<String, Tensor> readOptimizer(Path checkpoint) throws IOException {
        return Safetensors.decode(Files.readAllBytes(checkpoint.resolve(OPTIMIZER_FILE)));
    }

    /** The live training weights when they differ from the model files' (else empty). */
    static Map<String, Tensor> readTrainingWeights(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(TRAINING_WEIGHTS_FILE);
        return Files.exists(file) ? Safetensors.decode(Files.readAllBytes(file)) : Map.of();
    }

    static Map<String, Tensor> readWeightAverage(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(EMA_FILE);
        return Files.exists(file) ? Safetensors.decode(Files.readAllBytes(file)) : Map.of();
    }

    private void prune(java.util.function.Predicate<Path> protect) throws IOException {
        List<Path> all;
        try (Stream<Path> list = Files.list(root)) {
            all = list.filter(p -> p.getFileName().toString().startsWith("ckpt-")).sorted().toList();
        }
        for (int i = 0; i < all.size() - keep; i++) {
            if (!protect.test(all.get(i))) {
                AtomicFiles.discard(all.get(i));
            }
        }
    }
}
