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
}
