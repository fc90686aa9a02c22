package dev.streamtrain.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads the {@code ingest} section: topics and their formats, interleaving, validation and flow control. */
final class IngestSettingsReader {
    private IngestSettingsReader() {
    }

    static JobConfig.IngestSettings read(ConfigReader in, String job) {
        RecordFormatSettings format = RecordFormatSettings.read(in, RecordFormatSettings.defaults());
        boolean named = in.has("train-topics");
        String single = in.string("train-topic", job + ".train");
        String pattern = in.string("train-topic-pattern", "");
        if (!pattern.isEmpty()) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                in.problem("train-topic-pattern", "is not a regular expression: " + e.getDescription());
                pattern = "";
            }
        }
        List<TrainTopic> topics = new ArrayList<>();
        boolean weighted = false;
        if (named) {
            if (in.has("train-topic")) {
                in.problem("train-topic", "use either train-topic or train-topics, not both");
            }
            weighted = readTopics(in, format, topics);
        } else if (pattern.isEmpty() || in.has("train-topic")) {
            topics.add(new TrainTopic(single, format, 1.0));
        }
        if (named || !pattern.isEmpty() && !in.has("train-topic")) {
            in.leaveOut("train-topic"); // its default is not a topic this job reads: never printed as one
        }
        java.util.Set<String> formats = new java.util.HashSet<>();
        topics.forEach(t -> formats.add(t.format().format()));
        formats.add(format.format()); // the validation topic and pattern-matched topics read the section's format
        format.refuseForeignKeys(in, RecordFormatSettings.defaults(), formats);
        String interleave = in.choice("interleave", weighted ? "weighted" : "arrival", List.of("arrival", "weighted"));
        String validation = in.string("validation-topic", job + ".validation");
        for (TrainTopic t : topics) {
            if (t.topic().equals(validation)) {
                in.problem("validation-topic", "must differ from the training topic '" + t.topic() + "'");
            }
        }
        return new JobConfig.IngestSettings(topics, pattern, interleave,
                in.integer("topic-refresh-ms", 30_000, 100, 86_400_000),
                validation,
                format,
                (int) in.integer("queue-capacity", 1024, 2, 100_000),
                in.integer("queue-bytes", 32L << 20, 1 << 16, 1L << 40),
                in.bool("stop-at-end", false),
                (int) in.integer("validation-max-rows", 100_000, 1, 100_000_000),
                in.string("group-id", "streamtrain-" + job),
                in.choice("non-finite", "reject", List.of("reject", "zero", "clip")),
                in.decimal("clip-value", 1e4, 0, 3e38, false),
                (int) in.integer("max-record-bytes", 16 * 1024 * 1024, 16, Integer.MAX_VALUE),
                in.string("dead-letter-topic", job + ".dlq"),
                in.choice("on-error", "skip", List.of("skip", "fail")),
                (int) in.integer("batch-size", 32, 1, 1_000_000),
                in.integer("max-wait-ms", 200, 0, 86_400_000),
                in.choice("start", "earliest", List.of("earliest", "latest", "committed")));
    }

    /** Reads {@code train-topics} into {@code out}; returns whether any entry set a weight. */
    private static boolean readTopics(ConfigReader in, RecordFormatSettings format, List<TrainTopic> out) {
        JsonNode list = in.raw("train-topics");
        if (!list.isArray() || list.isEmpty()) {
            in.problem("train-topics", "must be a non-empty list of topic names or {topic: ..., weight: ...} entries");
            return false;
        }
        boolean weighted = false;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String at = "train-topics[" + i + "]";
            TrainTopic t;
            if (e.isTextual() && !e.asText().isEmpty()) {
                t = new TrainTopic(e.asText(), format, 1.0);
            } else if (e.isObject()) {
                ConfigReader item = new ConfigReader(e, in.path(at), in.problems());
                item.require("topic");
                weighted |= item.has("weight");
                t = new TrainTopic(item.string("topic", ""), RecordFormatSettings.read(item, format),
                        item.decimal("weight", 1.0, 0, 1e6, false));
                t.format().refuseForeignKeys(item, format, java.util.Set.of(t.format().format()));
                item.reportUnknownKeys();
            } else {
                in.problem(at, "must be a topic name or a map with 'topic', got " + e);
                continue;
            }
            if (!t.topic().isEmpty() && !seen.add(t.topic())) {
                in.problem(at, "names topic '" + t.topic() + "' twice");
            }
            out.add(t);
        }
        return weighted;
    }
}
