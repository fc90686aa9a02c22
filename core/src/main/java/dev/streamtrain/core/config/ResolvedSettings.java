package dev.streamtrain.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;

/**
 * The problem list readers of one document share, which also keeps every setting they read with the value they
 * took (the file's, or the default): the job as it runs, in the job file's own keys, so {@code run --check} prints
 * YAML that loads back as the same job. Settings that must not be printed (the control token) or that a later step
 * fills (auto-range's stand-ins) are left out.
 */
public final class ResolvedSettings extends ArrayList<String> {
    private static final long serialVersionUID = 1L;
    /** Never printed. */
    private static final Set<String> SECRET = Set.of("serving.token");
    /** What is printed instead of a secret (Kafka passwords, SASL's JAAS line, webhook URLs). */
    public static final String REDACTED = "<redacted: supply it again>";
    private static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile(
            "(?i).*(password|secret|jaas|token|credential|user\\.info|api[._-]?key).*");
    private final transient ObjectNode tree = JsonNodeFactory.instance.objectNode();
    private final Set<String> leftOut = new TreeSet<>();

    /** Records the value read at a full key path ({@code a.b[2].c}). */
    void record(String path, JsonNode value) {
        if (SECRET.contains(path)) {
            return;
        }
        JsonNode node = tree;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            node = step(node, parts[i], last ? value : null);
            if (node == null) {
                return;
            }
        }
    }

    /** Leaves a key path out of {@link #tree()} (a stand-in a later step replaces). */
    void leaveOut(String path) {
        leftOut.add(path);
    }

    /** The settings read, as a job-file tree, secrets redacted. */
    public ObjectNode tree() {
        ObjectNode out = tree.deepCopy();
        redact(out, false);
        for (String path : leftOut) {
            int dot = path.lastIndexOf('.');
            JsonNode parent = dot < 0 ? out : at(out, path.substring(0, dot));
            if (parent instanceof ObjectNode o) {
                o.remove(path.substring(dot + 1));
            }
        }
        return out;
    }

    /** Replaces the values of secret-looking keys, and everything under {@code webhooks} (URLs carry secrets). */
    private static void redact(JsonNode node, boolean under) {
        if (node instanceof ObjectNode o) {
            var names = new ArrayList<String>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                boolean secret = under || SECRET_KEY.matcher(name).matches() || name.equals("webhooks");
                if (secret && v.isValueNode()) {
                    o.put(name, REDACTED);
                } else {
                    redact(v, secret);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (under && a.get(i).isValueNode()) {
                    a.set(i, JsonNodeFactory.instance.textNode(REDACTED));
                } else {
                    redact(a.get(i), under);
                }
            }
        }
    }

    /** Goes (or, with {@code value}, writes) one path segment down: {@code name} or {@code name[i]}. */
    private static JsonNode step(JsonNode node, String part, JsonNode value) {
        if (!(node instanceof ObjectNode object)) {
            return null;
        }
        int bracket = part.indexOf('[');
        String name = bracket < 0 ? part : part.substring(0, bracket);
        if (bracket < 0) {
            if (value != null) {
                object.set(name, value.deepCopy());
                return value;
            }
            return object.get(name) instanceof ObjectNode child ? child : object.putObject(name);
        }
        int index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
        ArrayNode array = object.get(name) instanceof ArrayNode a ? a : object.putArray(name);
        while (array.size() <= index) {
            array.addObject();
        }
        if (value != null) {
            array.set(index, value.deepCopy());
            return value;
        }
        return array.get(index);
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            node = node == null ? null : bracket < 0 ? node.get(part)
                    : node.path(part.substring(0, bracket)).get(Integer.parseInt(part.substring(bracket + 1,
                    part.length() - 1)));
        }
        return node;
    }
}
