package dev.streamtrain.core.wire;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads numpy's {@code .npz} archives ({@code np.savez}, {@code np.savez_compressed}): a zip of {@code <name>.npy}
 * arrays, each a {@code \x93NUMPY} header (dtype, order, shape) and raw data. Little-endian float16/32/64,
 * int32/64 and uint8 in C order are supported; anything else is refused with the reason.
 */
public final class Npz {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final int MAX_ENTRY_BYTES = 256 * 1024 * 1024;

    private Npz() {
    }

    /** True when the bytes start like a zip archive (an .npz). */
    public static boolean looksLikeNpz(byte[] bytes) {
        return bytes != null && looksLikeNpz(bytes, 0, bytes.length);
    }

    /** As {@link #looksLikeNpz(byte[])}, for the bytes at {@code [offset, offset + length)}. */
    public static boolean looksLikeNpz(byte[] bytes, int offset, int length) {
        return length >= 4 && bytes[offset] == 'P' && bytes[offset + 1] == 'K' && bytes[offset + 2] == 3
                && bytes[offset + 3] == 4;
    }

    /**
     * Encodes arrays as an uncompressed .npz ({@code np.savez} layout: {@code <name>.npy} entries, format version 1.0,
     * little-endian, C order), readable by {@code numpy.load}.
     */
    public static byte[] encode(Map<String, Tensor> tensors) {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (var e : tensors.entrySet()) {
                byte[] header = npyHeader(e.getValue());
                byte[] data = e.getValue().data();
                // stored, like np.savez: the sizes are in the local header, so readers can slice without inflating
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(header.length + data.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(header);
                crc.update(data);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(header);
                zip.write(data);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Magic, version 1.0, header length, then the header dict padded with spaces so the data starts 64-aligned. */
    private static byte[] npyHeader(Tensor t) {
        String descr = switch (t.dtype()) {
            case F16 -> "<f2";
            case F32 -> "<f4";
            case F64 -> "<f8";
            case I32 -> "<i4";
            case I64 -> "<i8";
            case U8 -> "|u1";
        };
        StringBuilder shape = new StringBuilder();
        for (long d : t.shape()) {
            shape.append(d).append(", ");
        }
        String dims = t.shape().length == 1 ? shape.toString().strip() : shape.toString().replaceAll(", $", "");
        StringBuilder dict = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': ("
                + dims + "), }");
        while ((10 + dict.length() + 1) % 64 != 0) {
            dict.append(' ');
        }
        dict.append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length).put(text);
        return b.array();
    }

    /** Decodes every array of an .npz, by name (without the .npy suffix). */
    public static Map<String, Tensor> decode(byte[] bytes) {
        Map<String, Tensor> stored = decodeStored(bytes);
        return stored != null ? stored : decodeStreaming(bytes);
    }

    /**
     * The fast path for archives of stored entries whose sizes are in their local headers (np.savez, and our own
     * encoder): the arrays are sliced out of the bytes, no {@link ZipInputStream} (which allocates a native
     * inflater per record). Null when the archive is anything else (compressed entries, data descriptors, anything
     * odd): the streaming reader then decides, with its checks. Kafka checksums record batches, so
     * the entries' CRCs are not re-checked here.
     */
    static Map<String, Tensor> decodeStored(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Tensor> out = new LinkedHashMap<>();
        int at = 0;
        while (at + 30 <= bytes.length && b.getInt(at) == 0x04034b50) {
            int flags = Short.toUnsignedInt(b.getShort(at + 6));
            int method = Short.toUnsignedInt(b.getShort(at + 8));
            long size = Integer.toUnsignedLong(b.getInt(at + 18));
            int nameLength = Short.toUnsignedInt(b.getShort(at + 26));
            int extraLength = Short.toUnsignedInt(b.getShort(at + 28));
            long data = (long) at + 30 + nameLength + extraLength;
            if (size == 0xFFFFFFFFL && data <= bytes.length) {
                size = zip64Size(b, at + 30 + nameLength, extraLength); // numpy writes zip64 local headers
            }
            if (method != 0 || (flags & 0x8) != 0 || size == 0xFFFFFFFFL || size > MAX_ENTRY_BYTES
                    || data + size > bytes.length) {
                return null;
            }
            String name = new String(bytes, at + 30, nameLength, StandardCharsets.UTF_8);
            if (!name.endsWith(".npy")) {
                return null;
            }
            byte[] npy = java.util.Arrays.copyOfRange(bytes, (int) data, (int) (data + size));
            out.put(name.substring(0, name.length() - 4), npy(name, npy));
            at = (int) (data + size);
        }
        return out.isEmpty() ? null : out;
    }

    /** The uncompressed size from a zip64 extended-information extra field, or 0xFFFFFFFF when there is none. */
    private static long zip64Size(ByteBuffer b, int extra, int length) {
        int at = extra;
        while (at + 4 <= extra + length) {
            int id = Short.toUnsignedInt(b.getShort(at));
            int size = Short.toUnsignedInt(b.getShort(at + 2));
            if (id == 0x0001 && size >= 8 && at + 4 + 8 <= extra + length) {
                long uncompressed = b.getLong(at + 4);
                return uncompressed < 0 ? 0xFFFFFFFFL : uncompressed;
            }
            at += 4 + size;
        }
        return 0xFFFFFFFFL;
    }

    static Map<String, Tensor> decodeStreaming(byte[] bytes) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    throw new WireFormatException("npz: entry '" + name + "' is not an .npy array");
                }
                byte[] npy = zip.readNBytes(MAX_ENTRY_BYTES + 1);
                if (npy.length > MAX_ENTRY_BYTES) {
                    throw new WireFormatException("too_large", "npz: array '" + name + "' is over the "
                            + MAX_ENTRY_BYTES + "-byte limit per array (a limit, not a corrupt record)");
                }
                out.put(name.substring(0, name.length() - 4), npy(name, npy));
            }
        } catch (IOException e) {
            throw new WireFormatException("npz: not a readable zip archive (truncated, or not an .npz)");
        }
        if (out.isEmpty()) {
            throw new WireFormatException("npz: the archive holds no arrays");
        }
        return out;
    }

    private static Tensor npy(String name, byte[] b) {
        if (b.length < 10 || (b[0] & 0xff) != 0x93 || b[1] != 'N' || b[2] != 'U' || b[3] != 'M' || b[4] != 'P'
                || b[5] != 'Y') {
            throw new WireFormatException("npz: '" + name + "' lacks the \\x93NUMPY magic");
        }
        int major = b[6];
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int headerStart = major == 1 ? 10 : 12;
        if (headerLen < 0 || headerStart + headerLen > b.length) {
            throw new WireFormatException("npz: '" + name + "' header runs past the data");
        }
        String header = new String(b, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw new WireFormatException("npz: '" + name + "' has an unreadable header: " + header.trim());
        }
        if (fortran.group(1).equals("True")) {
            throw new WireFormatException("npz: '" + name + "' is Fortran-ordered; save it C-ordered"
                    + " (np.ascontiguousarray)");
        }
        DType dtype = switch (descr.group(1)) {
            case "<f4" -> DType.F32;
            case "<f8" -> DType.F64;
            case "<f2" -> DType.F16;
            case "<i4" -> DType.I32;
            case "<i8" -> DType.I64;
            case "|u1" -> DType.U8;
            default -> throw new WireFormatException("npz: '" + name + "' has unsupported dtype '" + descr.group(1)
                    + "' (little-endian float16/32/64, int32/64 or uint8)");
        };
        String[] dims = shapeText.group(1).split(",");
        long[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        int dataStart = headerStart + headerLen;
        long expected;
        try {
            expected = Tensor.elementCount(shape) * dtype.bytes();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new WireFormatException("npz: '" + name + "': " + Tensor.problem(e));
        }
        if (expected != b.length - dataStart) {
            throw new WireFormatException("npz: '" + name + "' holds " + (b.length - dataStart) + " data bytes, its"
                    + " header says " + expected);
        }
        byte[] data = java.util.Arrays.copyOfRange(b, dataStart, b.length);
        return new Tensor(dtype, shape, data);
    }
}
