package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.lrfind.RangeSuggestions;
import dev.streamtrain.core.lrfind.RangeSweep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The range test on the digits stream (embedded broker): divergence ends the sweep early, the suggested rates lie in
 * the band where a fixed-rate run of the same model trains well (measured here, in memory, on the same rows), and the
 * job's committed offsets and checkpoints are untouched.
 */
class LrFindTest {
    /** Fixed rates tried for the band (SGD, momentum 0.9): a decade apart, around the usual range. */
    static final double[] RATES = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0};

    @Test
    void suggestsRatesInsideTheBandWhereAFixedRateTrainsWell(@TempDir Path scratch) throws Exception {
        JobConfig cfg = AppTestBroker.job("lrfind", """
                optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
                """);
        LabeledRows[] split = CsvRows.digits().split(0.8, 7);
        RunJobTest.seed(cfg, split, 3);
        Map<String, Long> committedBefore = committed(cfg);

        RangeTest.Result r = RangeTest.run(cfg, AppTestBroker.broker().bootstrapServers(),
                new RangeSweep(1e-7, 10, 100, "exp"), RangeReader.From.EARLIEST, 0, (n, m) -> { });
        assertTrue(r.stopReason().startsWith("diverged"), r.stopReason());
        assertTrue(r.curve().size() < 100, "divergence ended the sweep early: " + r.curve().size() + " updates");
        RangeSuggestions s = RangeSuggestions.of(r.curve());

        Map<Double, Double> accuracy = new TreeMap<>();
        for (double lr : RATES) {
            accuracy.put(lr, fixedRate(split, lr, scratch));
        }
        double best = accuracy.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        List<Double> good = accuracy.entrySet().stream().filter(e -> e.getValue() >= best - 0.03)
                .map(Map.Entry::getKey).toList();
        double low = good.get(0);
        double high = good.get(good.size() - 1);
        assertEquals(s.clrMaxLr() / 4, s.clrBaseLr(), 1e-15, "CyclicLR's floor: a quarter of max_lr");
        for (double suggested : new double[] {s.oneCycleMaxLr(), s.clrMaxLr()}) {
            assertTrue(suggested >= low / Math.sqrt(3) && suggested <= high * Math.sqrt(3), suggested
                    + " lies outside the band where a fixed rate trains well: " + good + " of " + accuracy);
        }
        assertEquals(committedBefore, committed(cfg), "the job's group offsets are untouched");
        assertTrue(!Files.exists(cfg.checkpoint().dir()), "the job's checkpoint directory was never written");
    }

    /** Validation accuracy after a pass and a half of the training rows at a fixed rate (in memory, same model). */
    static double fixedRate(LabeledRows[] split, double lr, Path scratch) throws Exception {
        List<MiniBatch> batches = new ArrayList<>();
        LabeledRows rows = split[0];
        for (int i = 0; batches.size() < 70; i = (i + 32) % (rows.size() - 32)) {
            batches.add(new MiniBatch(32, rows.features(), rows.flatFeatures(i, i + 32), rows.labels(i, i + 32),
                    List.of(new OffsetRange("t", 0, batches.size(), batches.size()))));
        }
        ValidationSet validation = new ValidationSet(10_000);
        LabeledRows v = split[1];
        validation.add(new MiniBatch(v.size(), v.features(), v.flatFeatures(0, v.size()), v.labels(0, v.size()),
                List.of(new OffsetRange("v", 0, 0, 0))));
        var finished = TrainBench.inMemory("lr-" + lr, """
                model: {inputs: 64, hidden: [128], classes: 10}
                optimizer: {name: SGD, params: {lr: %s, momentum: 0.9}}
                training: {eval-every: 1000000}
                """.formatted(lr), batches, validation, scratch);
        return finished.validation() == null || Double.isNaN(finished.validation().accuracy()) ? 0
                : finished.validation().accuracy();
    }

    private static Map<String, Long> committed(JobConfig cfg) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", AppTestBroker.broker().bootstrapServers()))) {
            Map<String, Long> out = new TreeMap<>();
            admin.listConsumerGroupOffsets(cfg.ingest().groupId()).partitionsToOffsetAndMetadata().get()
                    .forEach((p, o) -> out.put(p.toString(), o == null ? -1 : o.offset()));
            return out;
        }
    }
}
