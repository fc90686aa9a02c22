package dev.streamtrain.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which .npz archives take the slicing fast path, and that it reads what the streaming reader reads. */
class NpzSlicingTest {
    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = NpzSlicingTest.class.getResourceAsStream("/npz/" + name)) {
            return in.readAllBytes();
        }
    }

    private static void assertSameTensors(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
        a.forEach((name, t) -> {
            assertEquals(t.dtype(), b.get(name).dtype());
            assertArrayEquals(t.shape(), b.get(name).shape());
            assertArrayEquals(t.data(), b.get(name).data());
        });
    }

    @Test
    void numpysSavezAndOurEncoderAreSlicedCompressedArchivesAreStreamed() throws Exception {
        byte[] numpys = fixture("minibatch_f32_i64.npz"); // np.savez: stored entries, zip64 local headers
        Map<String, Tensor> sliced = Npz.decodeStored(numpys);
        assertNotNull(sliced, "np.savez archives take the fast path");
        assertSameTensors(Npz.decodeStreaming(numpys), sliced);

        byte[] ours = MiniBatchCodec.standard().encodeNpz(2, 3, new float[6], new long[] {3, 1});
        assertNotNull(Npz.decodeStored(ours), "our encoder writes stored entries with their sizes");
        assertSameTensors(Npz.decodeStreaming(ours), Npz.decodeStored(ours));

        assertNull(Npz.decodeStored(fixture("minibatch_f64_i32_compressed.npz")), "deflated: streamed");
        assertNull(Npz.decodeStored(java.util.Arrays.copyOf(ours, 120)), "truncated: left to the checked reader");
    }
}
