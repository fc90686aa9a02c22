package dev.streamtrain.trainer;

import dev.streamtrain.core.batch.OffsetRange;
import java.util.ArrayList;
import java.util.List;

/**
 * What the model took in since the checkpoint it continues from (its parent): the records trained and those handled
 * without training, as merged ranges. Each checkpoint's manifest carries them and the lineage log chains them, so an
 * audit can follow every record across crashes and rollbacks. Reset when a checkpoint is written (it becomes the
 * parent), resumed or rolled back to.
 */
final class Provenance {
    private String parent;
    private final List<OffsetRange> trained = new ArrayList<>();
    private final List<OffsetRange> notTrained = new ArrayList<>();
    /** Checkpoints that could not be written while a later one naming them was still being written. */
    private final java.util.Map<String, dev.streamtrain.core.checkpoint.CheckpointManifest> unsavedAhead =
            new java.util.HashMap<>();

    /** One record handled: trained or not. */
    void add(String topic, int partition, long offset, boolean wasTrained) {
        List<OffsetRange> into = wasTrained ? trained : notTrained;
        for (int i = into.size() - 1; i >= 0 && i >= into.size() - 8; i--) { // the partition's latest range, nearby
            OffsetRange r = into.get(i);
            if (r.partition() == partition && r.topic().equals(topic)) {
                if (r.to() + 1 == offset) {
                    into.set(i, new OffsetRange(topic, partition, r.from(), offset));
                    return;
                }
                break;
            }
        }
        into.add(OffsetRange.single(topic, partition, offset));
    }

    /** A checkpoint with this id was written (or resumed; null: it has no manifest): the parent of what comes next. */
    void restartFrom(String id) {
        parent = id;
        trained.clear();
        notTrained.clear();
    }

    /**
     * The checkpoint of {@code manifest} could not be written: what it held counts as "since its parent" again, so
     * the next checkpoint names that parent and carries those records (the lineage stays a chain). Checkpoints handed
     * over after it fail too ({@code StateStore#save}), and their failures may be learnt in any order: one whose
     * descendant is the parent now is kept until that descendant is taken back, and then taken back with it.
     */
    void unsaved(dev.streamtrain.core.checkpoint.CheckpointManifest manifest) {
        if (!manifest.id().equals(parent)) {
            // a later checkpoint still being written names it (it fails after it), or a rollback or resume moved the
            // parent since, leaving that line behind (then it is never looked up again)
            unsavedAhead.put(manifest.id(), manifest);
            return;
        }
        for (var m = manifest; m != null; m = unsavedAhead.remove(parent)) {
            parent = m.parent();
            trained.addAll(0, m.trained());
            notTrained.addAll(0, m.notTrained());
        }
    }

    /**
     * A rollback to the checkpoint with id {@code id}: what was trained since is undone (it comes back as trained again
     * or quarantined), but records dead-lettered or skipped since stay handled: those since the last checkpoint and
     * those the checkpoints in between named ({@code forgotten}, from the lineage log).
     */
    void rolledBackTo(String id, List<OffsetRange> forgotten) {
        parent = id;
        trained.clear();
        notTrained.addAll(0, forgotten);
    }

    /** The manifest of a checkpoint saved now: a new id, this provenance's parent and records. */
    dev.streamtrain.core.checkpoint.CheckpointManifest manifest(String job, long updates, long samples, boolean good,
            dev.streamtrain.core.events.TrainingPosition position,
            dev.streamtrain.core.events.ValidationMetrics validation) {
        return new dev.streamtrain.core.checkpoint.CheckpointManifest(
                dev.streamtrain.core.checkpoint.CheckpointManifest.FORMAT,
                dev.streamtrain.core.checkpoint.CheckpointManifest.newId(updates), job, updates, samples, parent,
                System.currentTimeMillis(), good, position.offsets(), position.handledAbove(), trained(), notTrained(),
                validation, null);
    }

    String parent() {
        return parent;
    }

    List<OffsetRange> trained() {
        return List.copyOf(trained);
    }

    List<OffsetRange> notTrained() {
        return List.copyOf(notTrained);
    }
}
