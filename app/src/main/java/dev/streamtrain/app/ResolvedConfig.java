package dev.streamtrain.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.schedule.LrSchedule;
import java.nio.file.Path;

/**
 * Renders a validated job, every default filled in, as YAML for {@code run --check}: section and key names in the
 * job file's kebab-case; a schedule as its resolved form.
 */
final class ResolvedConfig {
    private static final YAMLMapper YAML = (YAMLMapper) new YAMLMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .registerModule(new SimpleModule()
                    .addSerializer(Path.class, ToStringSerializer.instance)
                    .addSerializer(LrSchedule.class, ToStringSerializer.instance));

    private ResolvedConfig() {
    }

    static String yaml(JobConfig cfg) {
        try {
            return YAML.writeValueAsString(cfg);
        } catch (JsonProcessingException e) {
            return cfg.toString(); // never expected; the record's own text still says everything
        }
    }
}
