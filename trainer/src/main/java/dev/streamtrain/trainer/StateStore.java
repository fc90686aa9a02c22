package dev.streamtrain.trainer;

import ai.djl.ndarray.NDArray;
import dev.streamtrain.core.checkpoint.CheckpointManifest;
import dev.streamtrain.core.config.EarlyStoppingSettings;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.AtomicFiles;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The trainer's saved states: writes checkpoints (marking each good or not), knows which are good, finds the one to
 * roll back to or to restore as the best, and restores one in place — parameters set with {@code NDArray.set}, never
 * by reloading the block under a live trainer; optimizer buffers, weight average and loss scaler too. Pruning never
 * deletes the newest good checkpoint nor the best one. Runs on the trainer thread.
 */
final class StateStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StateStore.class);
    /**
     * A checkpoint on disk.
     *
     * @param update updates it includes
     * @param dir its directory
     * @param good whether it may be resumed from, rolled back to and exported
     * @param validation its validation metrics (null when none yet)
     * @param id its lineage id (from its manifest; null for a checkpoint written before manifests)
     */
    record Saved(long update, Path dir, boolean good, ValidationMetrics validation, String id) {
    }

    private final ModelSpec spec;
    private final ModelParts parts;
    private final EarlyStoppingSettings stopping;
    private final CheckpointWriter writer;
    private final Path root;
    private final int keepBest;
    /** Read by the checkpoint thread while it prunes (which ones are protected), changed by the trainer thread. */
    private final List<Saved> saved = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CheckpointIo io = new CheckpointIo();
    /** Manifest ids of checkpoints that could not be written (read and written on the checkpoint thread only). */
    private final java.util.Set<String> notWritten = new java.util.HashSet<>();

    StateStore(dev.streamtrain.core.config.JobConfig.CheckpointSettings settings, ModelSpec spec, ModelParts parts,
            EarlyStoppingSettings stopping) throws IOException {
        Path root = settings.dir();
        this.keepBest = settings.keepBest();
        this.spec = spec;
        this.parts = parts;
        this.stopping = stopping;
        this.writer = new CheckpointWriter(root, settings.keep());
        this.root = root;
        AtomicFiles.deleteLeftovers(root); // a crash while pruning or writing a checkpoint (or a full disk)
        for (Path dir : CheckpointWriter.all(root)) {
            var checked = CheckpointManifest.check(dir);
            if (!checked.problems().isEmpty()) {
                LOG.warn("checkpoint {} is damaged and is skipped ({}); the previous good one is used", dir,
                        String.join("; ", checked.problems()));
                continue;
            }
            TrainerState s = CheckpointWriter.readState(dir);
            saved.add(new Saved(s.updates(), dir, CheckpointWriter.isGood(dir, s), s.validation(),
                    checked.manifest() == null ? null : checked.manifest().id()));
        }
    }

    /**
     * Hands a checkpoint to the checkpoint thread ({@link CheckpointIo}) and returns: the served weights as the model,
     * and, when those are not the live ones (the weight average under ema-for-eval), the live training weights beside
     * them. What it holds is copied here, on the trainer thread. The checkpoint counts as saved at once (rollbacks and
     * pruning know it); the future completes when it is durable, or fails (then it is forgotten). A checkpoint whose
     * manifest follows one that could not be written fails without being written: its lineage would name a parent
     * that does not exist ({@link Provenance#unsaved} takes both back).
     */
    java.util.concurrent.CompletableFuture<Saved> save(ModelSnapshot served, ModelSnapshot training,
            TrainerState state, CheckpointManifest manifest) {
        var optimizer = parts.optimizer.exportState();
        var average = parts.ema == null ? Map.<String, dev.streamtrain.core.wire.Tensor>of() : parts.ema.export();
        var live = served == training ? Map.<String, dev.streamtrain.core.wire.Tensor>of() : training.parameters();
        Saved s = new Saved(state.updates(), writer.target(state.updates()), state.isGood(), state.validation(),
                manifest == null ? null : manifest.id());
        saved.removeIf(old -> old.dir().equals(s.dir()));
        saved.add(s); // before pruning: it may be one of the best to keep
        long bytes = bytes(served.parameters()) + bytes(optimizer) + bytes(average) + bytes(live);
        return io.submit(() -> {
            try {
                if (manifest != null && notWritten.contains(manifest.parent())) {
                    throw new IOException("not written: the checkpoint before it could not be written");
                }
                writer.save(served, optimizer, average, live, state, manifest, dir -> isProtected(dir, s.update()));
                return s;
            } catch (IOException | RuntimeException | Error e) {
                if (manifest != null) {
                    notWritten.add(manifest.id());
                }
                synchronized (saved) {
                    saved.removeIf(old -> old.dir().equals(s.dir())); // before the write counts as done
                }
                throw e;
            } finally {
                synchronized (saved) { // pruned (the checkpoints handed over after this one are not written yet)
                    saved.removeIf(old -> old.update() <= s.update() && !Files.exists(old.dir()));
                }
            }
        }, bytes);
    }

    private static long bytes(Map<String, dev.streamtrain.core.wire.Tensor> tensors) {
        return tensors.values().stream().mapToLong(dev.streamtrain.core.wire.Tensor::byteSize).sum();
    }

    /** The directory of the checkpoint that includes {@code updates} updates. */
    Path dirFor(long updates) {
        return writer.target(updates);
    }

    /** The checkpoint thread (tests hold it up to queue writes behind a slow one). */
    CheckpointIo io() {
        return io;
    }

    /** Waits for every checkpoint handed over to be written (or to fail). */
    void awaitWrites() {
        io.await();
    }

    /** Finishes the writes handed over and stops the checkpoint thread. */
    void close() {
        io.close();
    }

    /**
     * Never pruned: the newest good checkpoint, the best one under restore-best, the best {@code keep-best}, each
     * judged among the checkpoints up to the one being written ({@code upTo} updates): those handed over after it are
     * not on disk yet and may still fail, so they protect nothing (with {@code keep: 1}, a good one queued behind a
     * suspect one would otherwise let the suspect one's write delete the last good checkpoint on disk).
     */
    private boolean isProtected(Path dir, long upTo) {
        List<Saved> written = saved.stream().filter(s -> s.update() <= upTo).toList();
        return goodBefore(written, Long.MAX_VALUE).map(s -> s.dir().equals(dir)).orElse(false)
                || stopping.enabled() && stopping.restoreBest()
                        && best(written).map(s -> s.dir().equals(dir)).orElse(false)
                || written.stream().filter(s -> s.good() && !Double.isNaN(metric(s)))
                        .sorted(java.util.Comparator.comparingDouble(s -> stopping.mode().equals("max")
                                ? -metric(s) : metric(s)))
                        .limit(keepBest).anyMatch(s -> s.dir().equals(dir));
    }

    /** The newest good checkpoint. */
    Optional<Saved> newestGood() {
        return goodBefore(Long.MAX_VALUE);
    }

    /** The newest good checkpoint that includes fewer than {@code update} updates. */
    Optional<Saved> goodBefore(long update) {
        return goodBefore(saved, update);
    }

    private static Optional<Saved> goodBefore(List<Saved> among, long update) {
        return among.stream().filter(s -> s.good() && s.update() < update).reduce((a, b) -> b);
    }

    /** The good checkpoint with the best early-stopping metric (val_loss or val_accuracy), if any was evaluated. */
    Optional<Saved> best() {
        return best(saved);
    }

    private Optional<Saved> best(List<Saved> among) {
        Saved best = null;
        for (Saved s : among) {
            double v = metric(s);
            if (s.good() && !Double.isNaN(v) && (best == null || stopping.improves(v, metric(best)))) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }

    private double metric(Saved s) {
        if (s.validation() == null) {
            return Double.NaN;
        }
        return s.validation().metric(stopping.monitor().equals("train_loss") ? "val_loss" : stopping.monitor());
    }

    /**
     * Credits a metric computed elsewhere (the external topic) to the newest checkpoint that includes at most
     * {@code update} updates, so restore-best can judge that checkpoint by it. Kept for this run, not written.
     */
    void attach(long update, dev.streamtrain.core.events.ExternalMetric m) {
        synchronized (saved) { // the checkpoint thread removes entries: indexes must hold during the loop
            attachLocked(update, m);
        }
    }

    private void attachLocked(long update, dev.streamtrain.core.events.ExternalMetric m) {
        for (int i = saved.size() - 1; i >= 0; i--) {
            Saved s = saved.get(i);
            if (s.update() <= update) {
                ValidationMetrics v = s.validation();
                saved.set(i, new Saved(s.update(), s.dir(), s.good(), v == null
                        ? ValidationMetrics.external(m, s.update(), 0, true) : v.with(m.name(), m.value()), s.id()));
                return;
            }
        }
    }

    /** Kinds the trainer's own guards report; with offsets, the alert is about a refused update. */
    private static final java.util.Set<String> GUARD_KINDS = java.util.Set.of("non_finite_loss", "non_finite_gradient",
            "non_finite_parameters");

    /**
     * A critical alert: checkpoints that include its update are not good, nor the next one. Not for an alert about an
     * update a guard refused (it names the refused records): that update never reached the weights, or was undone.
     */
    void suspect(dev.streamtrain.core.events.Alert alert, RunState state) {
        if (GUARD_KINDS.contains(alert.kind()) && !alert.offsets().isEmpty()) {
            return;
        }
        state.suspect = true;
        try {
            markSuspectFrom(alert.update(), alert.kind() + " at update " + alert.update());
        } catch (IOException e) {
            LOG.error("could not mark checkpoints after update {} as suspect: {}", alert.update(), e.getMessage());
        }
    }

    /** Marks every checkpoint that includes update {@code update} or later as not good. */
    void markSuspectFrom(long update, String why) throws IOException {
        io.await(); // the directory as the checkpoint thread leaves it
        for (int i = 0; i < saved.size(); i++) {
            Saved s = saved.get(i);
            if (s.good() && s.update() >= update && Files.exists(s.dir())) {
                CheckpointWriter.markSuspect(s.dir(), why);
                saved.set(i, new Saved(s.update(), s.dir(), false, s.validation(), s.id()));
            }
        }
    }

    /** Deletes the checkpoints newer than {@code update}: they hold updates a rollback undid. */
    void forgetAfter(long update) throws IOException {
        io.await(); // the directory as the checkpoint thread leaves it
        for (Saved s : List.copyOf(saved)) {
            if (s.update() > update) {
                AtomicFiles.discard(s.dir());
                saved.remove(s);
            }
        }
    }

    /**
     * Records dead-lettered or skipped that the checkpoints after {@code ancestor} up to {@code descendant} name
     * (pruned ones included: read from the lineage log), so a rollback to {@code ancestor} keeps them handled.
     */
    List<dev.streamtrain.core.batch.OffsetRange> notTrainedAfter(String ancestor, String descendant)
            throws IOException {
        return dev.streamtrain.core.checkpoint.Lineage.notTrainedAfter(root, ancestor, descendant);
    }

    /**
     * The oldest update any kept checkpoint includes (rollbacks cannot go further back), or -1 when none. Asked after
     * every update, so it reads the list (kept in step with pruning by {@link #save}), not the disk.
     */
    long oldestUpdate() {
        return saved.stream().mapToLong(Saved::update).min().orElse(-1);
    }

    /** Why a checkpoint cannot be resumed as the job's model, in the job file's keys. */
    private String differentModel(Path dir, dev.streamtrain.core.model.ModelSpec saved) {
        String kind = saved.normalization().kind();
        if (saved.withNormalization(spec.normalization()).equals(spec)) {
            return "checkpoint " + dir + " was trained with model.normalize: " + kind + " and the job says "
                    + spec.normalization().kind() + " (checkpoints written before model.normalize existed have none):"
                    + " set model.normalize: " + kind + " to resume it, or point checkpoint.dir elsewhere to start a"
                    + " new model";
        }
        return "checkpoint " + dir + " holds a different model (" + saved.describe() + ") than the job's model:"
                + " section (" + spec.describe() + "); point checkpoint.dir elsewhere to start a new model";
    }

    /**
     * Restores a checkpoint in place: parameters, input statistics, optimizer buffers, weight average and loss scaler.
     *
     * @return its state record (counters, rate control, offsets) for the caller to adopt
     * @throws IllegalStateException when it holds a different model than the job's
     */
    TrainerState restore(Path dir) throws IOException {
        io.await(); // the directory as the checkpoint thread leaves it
        ModelSnapshot snapshot = ModelSnapshotFiles.read(dir);
        if (!snapshot.spec().sameModelAs(spec)) {
            throw new IllegalStateException(differentModel(dir, snapshot.spec()));
        }
        Map<String, NDArray> arrays = parts.network.arraysByName();
        var training = CheckpointWriter.readTrainingWeights(dir); // training continues from the live weights
        NoGrad.run(() -> arrays.forEach((name, a) -> a.set(java.nio.FloatBuffer.wrap(training.isEmpty()
                ? snapshot.values(name) : training.get(name).toFloats()))));
        parts.network.restoreStatistics(snapshot.parameters());
        parts.optimizer.restoreState(CheckpointWriter.readOptimizer(dir), arrays);
        if (parts.ema != null) {
            var average = new java.util.LinkedHashMap<>(CheckpointWriter.readWeightAverage(dir));
            average.keySet().removeIf(dev.streamtrain.core.model.Normalization::owns); // now they follow the stream
            parts.ema.restore(average, parts.network.weightsByName());
        }
        TrainerState state = CheckpointWriter.readState(dir);
        if (parts.scaler != null && state.lossScaler() != null) {
            parts.scaler.restore(state.lossScaler());
        }
        return state;
    }
}
