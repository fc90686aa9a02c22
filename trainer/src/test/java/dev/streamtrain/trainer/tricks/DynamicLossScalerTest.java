package dev.streamtrain.trainer.tricks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.GradScalerSettings;
import org.junit.jupiter.api.Test;

class DynamicLossScalerTest {
    @Test
    void backsOffOnOverflowAndGrowsAfterTheIntervalLikeGradScaler() {
        DynamicLossScaler s = new DynamicLossScaler(new GradScalerSettings(1024, 2, 0.5, 3));
        assertEquals(1024, s.scale());
        assertFalse(s.update(false), "non-finite gradients: skip the step");
        assertEquals(512, s.scale());
        assertTrue(s.update(true));
        assertTrue(s.update(true));
        assertEquals(512, s.scale(), "two good steps: not yet");
        assertTrue(s.update(true));
        assertEquals(1024, s.scale(), "the third good step in a row grows the scale");
        assertTrue(s.update(true));
        assertFalse(s.update(false));
        assertEquals(512, s.scale());
        assertEquals(new DynamicLossScaler.State(512, 0, 2), s.state(), "an overflow resets the growth tracker");
        DynamicLossScaler restored = new DynamicLossScaler(GradScalerSettings.defaults());
        restored.restore(s.state());
        assertEquals(512, restored.scale());
    }
}
