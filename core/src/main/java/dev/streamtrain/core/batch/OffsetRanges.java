package dev.streamtrain.core.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Offset ranges for people: per partition, adjacent ranges merged ({@code t-0@150..179,182..187}). */
public final class OffsetRanges {
    private OffsetRanges() {
    }

    /** A short description of the ranges, partitions in name order. */
    public static String describe(List<OffsetRange> ranges) {
        Map<String, List<OffsetRange>> byPartition = new TreeMap<>();
        ranges.forEach(r -> byPartition.computeIfAbsent(r.topic() + "-" + r.partition(), k -> new ArrayList<>()).add(r));
        List<String> parts = new ArrayList<>();
        byPartition.forEach((tp, list) -> {
            list.sort((a, b) -> Long.compare(a.from(), b.from()));
            List<long[]> merged = new ArrayList<>();
            for (OffsetRange r : list) {
                long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && r.from() <= last[1] + 1) {
                    last[1] = Math.max(last[1], r.to());
                } else {
                    merged.add(new long[] {r.from(), r.to()});
                }
            }
            parts.add(tp + "@" + merged.stream().map(m -> m[0] == m[1] ? Long.toString(m[0]) : m[0] + ".." + m[1])
                    .collect(Collectors.joining(",")));
        });
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }
}
