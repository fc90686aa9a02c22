package dev.streamtrain.core.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * JSON as producers write it, Python's {@code json.dumps} above all: bare {@code NaN}, {@code Infinity} and
 * {@code -Infinity} are numbers (non-finite ones, for the {@code non-finite} policy or a 400 to judge, like their
 * string forms). One reader for every JSON a user sends: example records, external metric records, prediction
 * requests. Malformed JSON is reported by position in the product's words, never with the parser's own text.
 */
public final class PythonJson {
    /** The reader. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // as Python
            .build();

    private PythonJson() {
    }

    /** A value that is not JSON; the message says where. */
    public static final class NotJson extends Exception {
        NotJson(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses a document.
     *
     * @throws NotJson with {@code not valid JSON (line L, column C)} or {@code empty}
     */
    public static JsonNode read(byte[] value) throws NotJson {
        try {
            JsonNode root = MAPPER.readTree(value);
            if (root == null || root.isMissingNode()) {
                throw new NotJson("empty: no JSON value");
            }
            return root;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new NotJson("not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new NotJson("not valid JSON");
        }
    }
}
