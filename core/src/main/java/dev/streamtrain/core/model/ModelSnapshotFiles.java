package dev.streamtrain.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.wire.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model snapshot on disk: {@code model.json} (spec, update count) and {@code parameters.safetensors}, inside a
 * directory the caller chooses (a checkpoint directory). The safetensors file loads directly in Python with
 * {@code safetensors.torch.load_file}, its names matching an {@code nn.Sequential} of Linear layers.
 */
public final class ModelSnapshotFiles {
    public static final String SPEC_FILE = "model.json";
    public static final String PARAMETERS_FILE = "parameters.safetensors";

    private ModelSnapshotFiles() {
    }

    /** Writes the two files into {@code dir} (which should be a not-yet-published temp directory). */
    public static void write(ModelSnapshot snapshot, Path dir) throws IOException {
        ObjectNode json = Events.mapper().createObjectNode();
        json.put("format", "streamtrain-mlp");
        json.put("inputs", snapshot.spec().inputs());
        var hidden = json.putArray("hidden");
        snapshot.spec().hidden().forEach(hidden::add);
        json.put("classes", snapshot.spec().classes());
        json.put("activation", snapshot.spec().activation());
        json.put("batch_norm", snapshot.spec().batchNorm());
        json.put("dropout", snapshot.spec().dropout());
        json.put("residual", snapshot.spec().residual());
        json.put("head", snapshot.spec().head());
        json.put("normalize", snapshot.spec().normalization().kind());
        json.putPOJO("normalize_momentum", snapshot.spec().normalization().momentum());
        json.put("updates", snapshot.updates());
        AtomicFiles.write(dir.resolve(SPEC_FILE), Events.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        AtomicFiles.write(dir.resolve(PARAMETERS_FILE), Safetensors.encode(snapshot.parameters()));
    }

    /** Reads a snapshot written by {@link #write}. */
    public static ModelSnapshot read(Path dir) throws IOException {
        JsonNode json = Events.mapper().readTree(dir.resolve(SPEC_FILE).toFile());
        var params = Safetensors.decode(Files.readAllBytes(dir.resolve(PARAMETERS_FILE)));
        return new ModelSnapshot(spec(json), params, json.path("updates").asLong());
    }

    /** The model's shape alone, from the {@value #SPEC_FILE} in {@code dir} (a checkpoint or an exported version). */
    public static ModelSpec readSpec(Path dir) throws IOException {
        return spec(Events.mapper().readTree(dir.resolve(SPEC_FILE).toFile()));
    }

    /**
     * The model's shape from the JSON of a {@value #SPEC_FILE}; one written before input normalization existed has
     * none.
     */
    public static ModelSpec spec(JsonNode json) {
        List<Integer> hidden = new ArrayList<>();
        json.path("hidden").forEach(h -> hidden.add(h.asInt()));
        return new ModelSpec(json.path("inputs").asInt(), hidden, json.path("classes").asInt(),
                json.path("activation").asText(), json.path("batch_norm").asBoolean(false),
                json.path("dropout").asDouble(0), json.path("residual").asBoolean(false),
                json.path("head").asText("softmax"), new Normalization(json.path("normalize").asText("none"),
                        json.path("normalize_momentum").isNumber() ? json.get("normalize_momentum").asDouble() : null));
    }
}
