package dev.streamtrain.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.core.wire.Npz;
import dev.streamtrain.core.wire.WireFormatException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** .npz minibatches written by numpy itself (fixtures and their generator in resources/npz). */
class NpzTest {
    private static final OffsetRange SRC = OffsetRange.single("t", 0, 0);
    private static final float[] X = {0, 0.25f, 0.5f, 0.75f, 1, 1.25f};

    static byte[] fixture(String name) throws Exception {
        try (InputStream in = NpzTest.class.getResourceAsStream("/npz/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsNumpysSavezAndSavezCompressed() throws Exception {
        MiniBatch a = MiniBatchCodec.standard().decode(fixture("minibatch_f32_i64.npz"), SRC);
        assertEquals(2, a.rows());
        assertEquals(3, a.features());
        assertArrayEquals(X, a.x());
        assertArrayEquals(new long[] {3, 1}, a.y());
        MiniBatch b = MiniBatchCodec.standard().decode(fixture("minibatch_f64_i32_compressed.npz"), SRC);
        assertArrayEquals(X, b.x(), "float64 features, deflated entries");
        assertArrayEquals(new long[] {0, 2}, b.y(), "int32 labels");
        MiniBatch c = MiniBatchCodec.standard().decode(fixture("regression_targets.npz"), SRC);
        assertTrue(c.hasTargets());
        assertArrayEquals(new float[] {0.5f, -1, 2, 3.5f}, c.targets());
    }

    @Test
    void refusesWhatItCannotReadWithTheReason() throws Exception {
        var fortran = assertThrows(WireFormatException.class,
                () -> MiniBatchCodec.standard().decode(fixture("minibatch_fortran.npz"), SRC));
        assertTrue(fortran.getMessage().contains("Fortran-ordered"), fortran.getMessage());
        byte[] good = fixture("minibatch_f32_i64.npz");
        var truncated = assertThrows(WireFormatException.class, () -> Npz.decode(Arrays.copyOf(good, 200)));
        assertTrue(truncated.getMessage().startsWith("npz:"), truncated.getMessage());
        assertTrue(Npz.looksLikeNpz(good));
    }

    @Test
    void writesNpzThatReadsBackLikeNumpysOwn() throws Exception {
        byte[] ours = MiniBatchCodec.standard().encodeNpz(2, 3, X, new long[] {3, 1});
        assertTrue(Npz.looksLikeNpz(ours));
        MiniBatch back = MiniBatchCodec.standard().decode(ours, SRC);
        MiniBatch numpys = MiniBatchCodec.standard().decode(fixture("minibatch_f32_i64.npz"), SRC);
        assertArrayEquals(numpys.x(), back.x());
        assertArrayEquals(numpys.y(), back.y());
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(ours))) {
            for (String name : new String[] {"x.npy", "y.npy"}) {
                assertEquals(name, zip.getNextEntry().getName());
                byte[] npy = zip.readAllBytes();
                int headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
                assertEquals(0, (10 + headerLength) % 64, "data starts 64-byte aligned, as numpy writes it");
                String header = new String(npy, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
                assertTrue(header.endsWith("\n"), header);
                assertTrue(header.contains(name.equals("x.npy") ? "'shape': (2, 3)" : "'shape': (2,)"), header);
            }
        }
    }
}
