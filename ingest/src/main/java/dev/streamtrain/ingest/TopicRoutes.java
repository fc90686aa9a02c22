package dev.streamtrain.ingest;

import dev.streamtrain.core.config.RecordFormatSettings;
import dev.streamtrain.core.config.TrainTopic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Which topics a job trains on and how each is read: the named topics with their own format and weight, plus every
 * topic matching a pattern (default format, weight 1). Topics the job itself writes (validation, dead letters,
 * metrics, alerts) and Kafka's internal topics ({@code __...}) never match the pattern.
 */
public final class TopicRoutes {
    /**
     * How one topic is read.
     *
     * @param topic topic name
     * @param validator decodes and checks its records
     * @param weight its share of minibatches under weighted interleaving
     * @param assembles whether its records are single examples to assemble into minibatches
     */
    public record Route(String topic, RecordValidator validator, double weight, boolean assembles) {
    }

    private final Map<String, Route> named = new LinkedHashMap<>();
    private final Pattern pattern;
    private final Set<String> excluded;
    private final Function<String, Route> patternRoute;
    private final boolean patternAssembles;
    private final Map<String, Route> matched = new LinkedHashMap<>();

    /**
     * @param topics the named topics
     * @param pattern regular expression of further topics (empty: none)
     * @param defaultFormat the format of topics found by the pattern
     * @param validatorFor builds a validator for a format
     * @param excluded topics never trained on (the job's own)
     */
    public TopicRoutes(List<TrainTopic> topics, String pattern, RecordFormatSettings defaultFormat,
            Function<RecordFormatSettings, RecordValidator> validatorFor, Set<String> excluded) {
        for (TrainTopic t : topics) {
            named.put(t.topic(), new Route(t.topic(), validatorFor.apply(t.format()), t.weight(),
                    t.format().examplesPerRecord()));
        }
        this.pattern = pattern.isEmpty() ? null : Pattern.compile(pattern);
        this.excluded = Set.copyOf(excluded);
        RecordValidator patternValidator = this.pattern == null ? null : validatorFor.apply(defaultFormat);
        this.patternAssembles = this.pattern != null && defaultFormat.examplesPerRecord();
        this.patternRoute = topic -> new Route(topic, patternValidator, 1.0, patternAssembles);
    }

    /** A single topic read with one validator (tests, simple jobs). */
    public static TopicRoutes single(String topic, RecordValidator validator, boolean assembles) {
        TopicRoutes routes = new TopicRoutes(List.of(), "", RecordFormatSettings.defaults(), f -> validator, Set.of());
        routes.named.put(topic, new Route(topic, validator, 1.0, assembles));
        return routes;
    }

    /** The named topics (they must exist). */
    public List<String> namedTopics() {
        return new ArrayList<>(named.keySet());
    }

    /** Whether a pattern may add topics at run time. */
    public boolean hasPattern() {
        return pattern != null;
    }

    /** Whether a topic is trained on. */
    public boolean matches(String topic) {
        return named.containsKey(topic) || (pattern != null && !excluded.contains(topic) && !topic.startsWith("__")
                && pattern.matcher(topic).matches());
    }

    /** The route of a topic that {@link #matches}. */
    public Route routeFor(String topic) {
        Route r = named.get(topic);
        if (r != null) {
            return r;
        }
        if (!matches(topic)) {
            throw new IllegalArgumentException("topic " + topic + " is not trained on");
        }
        return matched.computeIfAbsent(topic, patternRoute);
    }

    /** Whether any topic's records are examples to assemble. */
    public boolean anyAssembles() {
        return patternAssembles || named.values().stream().anyMatch(Route::assembles);
    }

    /** What is trained on, for logs. */
    public String describe() {
        List<String> parts = new ArrayList<>(named.keySet());
        if (pattern != null) {
            parts.add("/" + pattern.pattern() + "/");
        }
        return String.join(", ", parts);
    }
}
