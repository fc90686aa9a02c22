package dev.streamtrain.core.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka producer properties for StreamTrain's writers: byte-array keys and values, the component's own tuning, then
 * the user's {@code kafka.producer.*} settings, which win.
 */
public final class ProducerSettings {
    private ProducerSettings() {
    }

    /**
     * @param bootstrapServers cluster
     * @param tuning this writer's defaults (acks, linger, sizes)
     * @param userSettings pass-through settings from the job file
     */
    public static Map<String, String> of(String bootstrapServers, Map<String, String> tuning,
            Map<String, String> userSettings) {
        Map<String, String> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.putAll(tuning);
        p.putAll(userSettings);
        return p;
    }
}
