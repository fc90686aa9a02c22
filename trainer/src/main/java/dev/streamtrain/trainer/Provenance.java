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

    /** One record handled: trained or not. */
    void add(String topic, int partition, long offset, boolean wasTrained) {
        List<OffsetRange> into = wasTrained ? trained : notTrained;
        OffsetRange last = into.isEmpty() ? null : into.get(into.size() - 1);
        if (last != null && last.partition() == partition && last.to() + 1 == offset && last.topic().equals(topic)) {
            into.set(into.size() - 1, new OffsetRange(topic, partition, last.from(), offset));
        } else {
            into.add(OffsetRange.single(topic, partition, offset));
        }
    }

    /** A checkpoint with this id was written (or resumed; null: it has no manifest): the parent of what comes next. */
    void restartFrom(String id) {
        parent = id;
        trained.clear();
        notTrained.clear();
    }

    /**
     * A rollback to the checkpoint with id {@code id}: what was trained since is undone (it comes back as trained again
     * or quarantined), but records dead-lettered or skipped since stay handled: those since the last checkpoint and
     * those the discarded checkpoints named ({@code forgotten}).
     */
    void rolledBackTo(String id, List<OffsetRange> forgotten) {
        parent = id;
        trained.clear();
        notTrained.addAll(0, forgotten);
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
