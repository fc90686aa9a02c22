package dev.streamtrain.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.PartitionOffset;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.core.model.AtomicFiles;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.trainer.lr.PlateauController;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes checkpoints atomically as {@code ckpt-<update>} directories: the model snapshot, plus {@code state.json}
 * (counters, the Kafka offsets included, plateau state, last validation metrics); keeps the newest {@code keep}.
 */
final class CheckpointWriter {
    static final String STATE_FILE = "state.json";
    private final Path root;
    private final int keep;

    CheckpointWriter(Path root, int keep) {
        this.root = root;
        this.keep = keep;
    }

    Path save(ModelSnapshot snapshot, long samples, List<PartitionOffset> offsets, PlateauController.State plateau,
            ValidationMetrics validation) throws IOException {
        Path target = root.resolve(String.format("ckpt-%012d", snapshot.updates()));
        Path temp = AtomicFiles.tempDirFor(target);
        ModelSnapshotFiles.write(snapshot, temp);
        ObjectNode state = Events.mapper().createObjectNode();
        state.put("updates", snapshot.updates());
        state.put("samples", samples);
        state.set("offsets", Events.mapper().valueToTree(offsets));
        state.set("plateau", Events.mapper().valueToTree(plateau));
        if (validation != null) {
            state.set("validation", Events.mapper().valueToTree(validation));
        }
        AtomicFiles.write(temp.resolve(STATE_FILE), Events.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        AtomicFiles.publish(temp, target);
        prune();
        return target;
    }

    private void prune() throws IOException {
        List<Path> all;
        try (Stream<Path> list = Files.list(root)) {
            all = list.filter(p -> p.getFileName().toString().startsWith("ckpt-")).sorted().toList();
        }
        for (int i = 0; i < all.size() - keep; i++) {
            AtomicFiles.deleteTree(all.get(i));
        }
    }
}
