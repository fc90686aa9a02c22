package dev.streamtrain.core.config;

import java.util.Collection;
import java.util.Optional;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** "Did you mean" for names a user types: config keys, topic names. */
public final class Names {
    private Names() {
    }

    /**
     * The candidate nearest to {@code typed} by edit distance (Levenshtein; the first on ties), when it is within
     * {@code maxEdits} edits and not {@code typed} itself.
     */
    public static Optional<String> closest(String typed, Collection<String> candidates, int maxEdits) {
        LevenshteinDistance distance = new LevenshteinDistance(maxEdits);
        String best = null;
        int bestEdits = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance.apply(typed, c); // -1 beyond maxEdits
            if (d > 0 && d < bestEdits) {
                bestEdits = d;
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }
}
