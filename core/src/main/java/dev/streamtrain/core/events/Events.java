package dev.streamtrain.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtrain.core.control.CommandReply;
import dev.streamtrain.core.control.TrainerCommand;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/**
 * JSON form of events (for Kafka topics and HTTP) and the event-bus registration of local record codecs.
 *
 * <p>On the event bus inside one JVM the records travel as objects (no serialization); on Kafka they are JSON
 * objects with a {@code type} and a {@code schema} version, so external consumers can dispatch on them. Non-finite
 * numbers are written as the strings "NaN", "Infinity" and "-Infinity", as JSON has no literal for them.
 */
public final class Events {
    /** Version of the JSON event schema. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final List<Class<?>> LOCAL_TYPES = List.of(StepMetrics.class, StepMetricsBatch.class, ValidationMetrics.class,
            Alert.class, IngestMetrics.class, IngestFailed.class, LrChanged.class, CheckpointSaved.class, OffsetsCommitted.class, TrainingFinished.class, ModelDeployed.class, ModelPromotion.class, ModelRolledBack.class, PredictRequest.class, PredictReply.class,
            UpdateRejected.class, RolledBack.class, ExternalMetric.class, dev.streamtrain.core.batch.QuarantineRequest.class,
            TrainerCommand.Stop.class, TrainerCommand.Pause.class, TrainerCommand.Resume.class,
            TrainerCommand.Rollback.class, TrainerCommand.ScaleLr.class, TrainerCommand.SetLr.class,
            TrainerCommand.CheckpointNow.class, TrainerCommand.Predict.class, CommandReply.Accepted.class,
            CommandReply.Refused.class, CommandReply.Predicted.class, LrRangeFound.class);

    private Events() {
    }

    /** The shared JSON mapper (NaN-tolerant). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Serializes an event to a JSON object with {@code type} and {@code schema}. */
    public static String toJson(StreamEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("type", event.eventType());
        node.put("schema", SCHEMA_VERSION);
        node.setAll((ObjectNode) MAPPER.valueToTree(event));
        return node.toString();
    }

    /** Reads an event of a known class back from its JSON form. */
    public static <T extends StreamEvent> T fromJson(String json, Class<T> type) {
        try {
            JsonNode node = MAPPER.readTree(json);
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            String name = type.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                    .toLowerCase(java.util.Locale.ROOT); // the event's type as it travels (lr_changed)
            throw new IllegalArgumentException("not a " + name + " event: " + dev.streamtrain.core.wire.PythonJson
                    .problem(e), e);
        }
    }

    /** Lets the event records travel on this Vert.x instance's event bus as plain objects. Idempotent. */
    public static synchronized void registerCodecs(Vertx vertx) {
        for (Class<?> type : LOCAL_TYPES) {
            register(vertx, type);
        }
    }

    private static <T> void register(Vertx vertx, Class<T> type) {
        try {
            vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
        } catch (IllegalStateException alreadyRegistered) {
            // a second module on the same Vert.x registered it first: fine
        }
    }

    /** Passes immutable records by reference inside one JVM; refuses the wire (clustered buses). */
    private record LocalCodec<T>(Class<T> type) implements MessageCodec<T, T> {
        @Override
        public void encodeToWire(Buffer buffer, T value) {
            throw new UnsupportedOperationException(type.getSimpleName() + " travels only on a local event bus");
        }

        @Override
        public T decodeFromWire(int pos, Buffer buffer) {
            throw new UnsupportedOperationException(type.getSimpleName() + " travels only on a local event bus");
        }

        @Override
        public T transform(T value) {
            return value;
        }

        @Override
        public String name() {
            return "local-" + type.getName();
        }

        @Override
        public byte systemCodecID() {
            return -1;
        }
    }
}
