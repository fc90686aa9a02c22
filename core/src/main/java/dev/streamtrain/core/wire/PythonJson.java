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
     * Where a JSON or YAML parser stopped, in the product's words: {@code " (line L, column C)"}, or empty when the
     * parser did not say. The parser's own message (Jackson's or SnakeYAML's text) is left out on purpose.
     */
    public static String where(JsonProcessingException e) {
        var at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr()
                + ")";
    }

    /**
     * What is wrong with a JSON document read into a typed value, without the library's text or a Java class name:
     * an unknown field, a field of the wrong type, or the place the text stops being JSON.
     */
    public static String problem(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (var ref : m.getPath()) {
                path.append(ref.getFieldName() != null ? (path.length() == 0 ? "" : ".") + ref.getFieldName()
                        : "[" + ref.getIndex() + "]");
            }
            return "field '" + path + "' has the wrong type or is missing";
        }
        return e instanceof com.fasterxml.jackson.core.exc.StreamReadException ? "not valid JSON" + where(e)
                : "valid JSON, but not the expected shape" + where(e);
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
            throw new NotJson("not valid JSON" + where(e));
        } catch (IOException e) {
            throw new NotJson("not valid JSON");
        }
    }
}
