package dev.streamtrain.core.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data.
 *
 * <p>Pure Java so that ingest and the producers need no native engine; a trainer test checks it against DJL's own
 * {@code NDList.decode}.
 */
public final class Safetensors {
    /** Largest header we accept; real headers are a few hundred bytes. */
    public static final int MAX_HEADER_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {
    }

    /** Encodes tensors in iteration order; the header is space-padded to an 8-byte boundary. */
    public static byte[] encode(Map<String, Tensor> tensors) {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", t.dtype().name());
            var shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.data().length);
            offset += t.data().length;
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(headerBytes);
        for (int i = headerBytes.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : tensors.values()) {
            out.put(t.data());
        }
        return out.array();
    }

    /**
     * A parsed header: each tensor's name, type, shape and byte range, and the header's own bytes (to recognise the
     * same header in the next record: producers write one layout over and over).
     */
    public static final class Header {
        private final byte[] raw;
        private final java.util.List<Entry> entries;

        private Header(byte[] raw, java.util.List<Entry> entries) {
            this.raw = raw;
            this.entries = java.util.List.copyOf(entries);
        }

        private boolean sameAs(byte[] bytes, int at, int headerLen) {
            return raw.length == headerLen && java.util.Arrays.equals(raw, 0, headerLen, bytes, at, at + headerLen);
        }
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    /**
     * The tensors of a document and its parsed header.
     *
     * @param tensors by name, in header order; views of the document's bytes
     * @param header pass it to the next {@link #decode(byte[], Header)}
     */
    public record Decoded(Map<String, Tensor> tensors, Header header) {
    }

    /**
     * Decodes a safetensors document.
     *
     * @throws WireFormatException if the bytes are not a well-formed document (truncated, bad header, bad ranges)
     */
    public static Map<String, Tensor> decode(byte[] bytes) {
        return decode(bytes, null).tensors();
    }

    /**
     * Decodes a safetensors document, reusing {@code previous} when this document's header is byte-for-byte the same
     * (no JSON parsing then; the byte ranges are still checked against this document's data).
     *
     * @param previous the header of an earlier document, or null
     * @throws WireFormatException if the bytes are not a well-formed document (truncated, bad header, bad ranges)
     */
    public static Decoded decode(byte[] bytes, Header previous) {
        return decode(bytes, 0, bytes == null ? 0 : bytes.length, previous);
    }

    /**
     * As {@link #decode(byte[], Header)}, for a document at {@code bytes[offset, offset + length)}: a record value
     * still inside the consumer's fetch buffer. The tensors returned are views of those bytes (no copy).
     */
    public static Decoded decode(byte[] bytes, int offset, int length, Header previous) {
        if (bytes != null) {
            java.util.Objects.checkFromIndexSize(offset, length, bytes.length); // a caller's fault, not the record's
        }
        if (bytes == null || length < 8) {
            throw new WireFormatException("safetensors: value too short for a header (" + (bytes == null ? 0 : length)
                    + " bytes)");
        }
        long headerLen = ByteBuffer.wrap(bytes, offset, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen > MAX_HEADER_BYTES && headerLen <= length - 8) {
            throw new WireFormatException("too_large", "safetensors: the header is " + headerLen + " bytes, over the "
                    + MAX_HEADER_BYTES + "-byte limit StreamTrain reads (a limit, not a corrupt record)");
        }
        if (headerLen <= 0 || headerLen > length - 8) {
            throw new WireFormatException("safetensors: a header of " + headerLen + " bytes does not fit the "
                    + length + "-byte value (a truncated or corrupt record)");
        }
        Header header = previous != null && previous.sameAs(bytes, offset + 8, (int) headerLen) ? previous
                : parseHeader(bytes, offset + 8, (int) headerLen);
        int dataStart = offset + 8 + (int) headerLen;
        int dataLen = length - 8 - (int) headerLen;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : header.entries) {
            if (e.end() > dataLen) {
                throw new WireFormatException("safetensors: tensor '" + e.name() + "' byte range [" + e.begin() + ", "
                        + e.end() + ") lies outside the " + dataLen + " data bytes");
            }
            try { // a view of the value's bytes: decoding reads them once, into the minibatch's arrays
                out.put(e.name(), new Tensor(e.dtype(), e.shape().clone(), bytes, dataStart + (int) e.begin(),
                        (int) (e.end() - e.begin())));
            } catch (IllegalArgumentException | ArithmeticException ex) {
                throw new WireFormatException("safetensors: tensor '" + e.name() + "': " + Tensor.problem(ex));
            }
        }
        return new Decoded(out, header);
    }

    private static Header parseHeader(byte[] bytes, int at, int headerLen) {
        JsonNode header;
        try {
            header = JSON.readTree(bytes, at, headerLen); // UTF-8, as the format says
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WireFormatException("safetensors: header is not JSON" + PythonJson.where(e));
        } catch (java.io.IOException e) { // (reading from memory: only malformed text gets here)
            throw new WireFormatException("safetensors: header is not UTF-8 JSON");
        }
        if (header == null || !header.isObject()) {
            throw new WireFormatException("safetensors: header is not a JSON object");
        }
        java.util.List<Entry> entries = new java.util.ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("__metadata__")) {
                entries.add(entry(field.getKey(), field.getValue()));
            }
        }
        return new Header(java.util.Arrays.copyOfRange(bytes, at, at + headerLen), entries);
    }

    private static Entry entry(String name, JsonNode entry) {
        DType dtype;
        try {
            dtype = DType.valueOf(entry.path("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("safetensors: tensor '" + name + "' has unsupported dtype '"
                    + entry.path("dtype").asText() + "'");
        }
        JsonNode shapeNode = entry.path("shape");
        JsonNode offsets = entry.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new WireFormatException("safetensors: tensor '" + name + "' lacks shape or data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > Integer.MAX_VALUE) {
            throw new WireFormatException("safetensors: tensor '" + name + "' has a bad byte range [" + begin + ", "
                    + end + ")");
        }
        return new Entry(name, dtype, shape, begin, end);
    }
}
