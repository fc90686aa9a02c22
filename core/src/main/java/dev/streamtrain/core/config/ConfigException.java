package dev.streamtrain.core.config;

import java.util.List;

/** A job file has problems; the message lists every one, each with its key path. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super("invalid job config " + source + " (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + "):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code key.path: what is wrong}. */
    public List<String> problems() {
        return problems;
    }
}
