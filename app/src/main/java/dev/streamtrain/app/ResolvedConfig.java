package dev.streamtrain.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Writes a job's resolved settings ({@code JobConfigLoader.resolved}: every key the loader read, with the value it
 * took) as YAML for {@code run --check}. The keys are the job file's, so the output loads back as the same job.
 */
final class ResolvedConfig {
    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)); // "-1" stays a string

    private ResolvedConfig() {
    }

    static String yaml(JsonNode settings) {
        try {
            return YAML.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the resolved settings could not be written as YAML", e);
        }
    }
}
