package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicMixerTest {
    private static String take(TopicMixer<String> m, int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(m.next());
        }
        return out.toString();
    }

    private static void fill(TopicMixer<String> m, String topic, int n) {
        for (int i = 0; i < n; i++) {
            m.offer(topic, topic);
        }
    }

    @Test
    void sharesFollowTheWeightsWithoutLongRuns() {
        TopicMixer<String> m = new TopicMixer<>();
        m.addTopic("a", 3);
        m.addTopic("b", 1);
        fill(m, "a", 30);
        fill(m, "b", 30);
        assertEquals("aaba".repeat(10), take(m, 40), "smooth weighted round-robin: 3 a per b in every window of 4");
        assertEquals(Map.of("a", 30L, "b", 10L), m.handedOver());
        assertEquals(20, m.waiting("b"));
    }

    @Test
    void fractionalWeightsAndThreeTopics() {
        TopicMixer<String> m = new TopicMixer<>();
        m.addTopic("a", 0.5);
        m.addTopic("b", 1.0);
        m.addTopic("c", 2.5);
        fill(m, "a", 100);
        fill(m, "b", 100);
        fill(m, "c", 100);
        String seq = take(m, 80);
        assertEquals(10, seq.chars().filter(ch -> ch == 'a').count());
        assertEquals(20, seq.chars().filter(ch -> ch == 'b').count());
        assertEquals(50, seq.chars().filter(ch -> ch == 'c').count());
    }

    @Test
    void anEmptyTopicIsPassedOverAndSavesNoBurst() {
        TopicMixer<String> m = new TopicMixer<>();
        m.addTopic("a", 1);
        m.addTopic("b", 1);
        fill(m, "a", 10);
        assertEquals("aaaaa", take(m, 5), "b has nothing: a goes on alone (work-conserving)");
        fill(m, "b", 10);
        assertEquals("abab", take(m, 4), "b rejoins at its share, not with five saved-up turns");
        assertEquals(0, m.waiting("c"));
        m.next();
        assertEquals(10, m.waiting(), "3 a and 8 b were left; one more taken");
        TopicMixer<String> empty = new TopicMixer<>();
        assertNull(empty.next());
    }

    @Test
    void rejectsBadWeightsAndUnknownTopics() {
        TopicMixer<String> m = new TopicMixer<>();
        assertThrows(IllegalArgumentException.class, () -> m.addTopic("a", 0));
        assertThrows(IllegalArgumentException.class, () -> m.addTopic("a", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> m.offer("nope", "x"));
    }
}
