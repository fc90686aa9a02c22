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
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", AppTestBroker.broker().bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(cfg.ingest().groupId(), Map.of(new org.apache.kafka.common.TopicPartition(
                    cfg.ingest().trainTopic(), 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(5)))
                    .all().get(); // where the job would resume
        }
        Map<String, Long> committedBefore = committed(cfg);
        assertEquals(Map.of(cfg.ingest().trainTopic() + "-0", 5L), committedBefore);

        RangeTest.Result r = RangeTest.run(cfg, AppTestBroker.broker().bootstrapServers(),
                new RangeSweep(1e-7, 10, 100, "exp"), RangeReader.From.COMMITTED, 0, 60_000,
                (n, m) -> { });
        assertEquals("committed offsets", r.startedAt());
        var sweep = new RangeSweep(1e-7, 10, 100, "exp");
        for (int i = 0; i < r.curve().size(); i++) {
            assertEquals(sweep.lr(i), r.curve().lrs()[i], sweep.lr(i) * 1e-12, "update " + i + " ran at the sweep's rate");
        }
        assertTrue(r.stopReason().startsWith("diverged"), r.stopReason());
        assertTrue(r.curve().size() < 100, "divergence ended the sweep early: " + r.curve().size() + " updates");
        RangeSuggestions s = RangeSuggestions.of(r.curve(), 100);

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

        // the plot holds the curve and the suggestions (read back from the chart the PNG and SVG are drawn from)
        var chart = dev.streamtrain.app.plot.Charts.rangeTest("t", r.curve(), s);
        var smoothed = chart.getXYPlot().getDataset(0);
        assertEquals(r.curve().size(), smoothed.getItemCount(0));
        for (int i = 0; i < r.curve().size(); i++) {
            assertEquals(r.curve().lrs()[i], smoothed.getXValue(0, i), 0);
            assertEquals(r.curve().smoothed()[i], smoothed.getYValue(0, i), 0);
        }
        assertTrue(chart.getXYPlot().getDomainAxis() instanceof org.jfree.chart.axis.LogAxis, "rate on a log axis");
        assertEquals(List.of(s.minimumTenth(), s.steepest(), s.valley(), s.lossMinimum()),
                chart.getXYPlot().getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).stream()
                        .map(m -> ((org.jfree.chart.plot.ValueMarker) m).getValue()).toList());
    }

    @Test
    void theCommandPrintsSuggestionsPasteableSchedulesAndWritesThePlot(@TempDir Path dir) throws Exception {
        Path job = jobFile(dir, "lrcli", "");
        RunJobTest.seed(dev.streamtrain.core.config.JobConfigLoader.load(job), CsvRows.digits().split(0.8, 7), 3);
        Path png = dir.resolve("curve.png");
        var r = ScheduleCommandTest.run("lr-find", "--config", job.toString(), "--from", "earliest", "--plot",
                png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("minimum / 10") && r.out().contains("diverged at lr"), r.out());
        var image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(960, image.getWidth());
        assertTrue(Files.readString(dir.resolve("curve.svg")).contains("<svg"));
        int blocks = 0;
        for (String block : r.out().split("\n\\s*\n")) { // each ready-to-paste block loads as a job's schedule
            if (block.contains("scheduler:")) {
                String yaml = block.lines().filter(l -> l.startsWith("  ") && !l.strip().startsWith("#"))
                        .map(l -> l.substring(2)).collect(java.util.stream.Collectors.joining("\n"));
                var loaded = dev.streamtrain.core.config.JobConfigLoader.parse("job: paste\nmodel: {inputs: 64,"
                        + " hidden: [8], classes: 10}\n" + yaml, "pasted block");
                assertTrue(loaded.schedule() != null, yaml);
                blocks++;
            }
        }
        assertEquals(2, blocks, "CyclicLR and OneCycleLR blocks: " + r.out());
        Path json = dir.resolve("curve.json");
        var replay = ScheduleCommandTest.run("lr-find", "--config", job.toString(), "--last", "40", "--format",
                "json", "--out", json.toString(), "--plot", "none");
        var curve = dev.streamtrain.core.events.Events.mapper().readTree(json.toFile());
        assertEquals(40, curve.get("lr").size(), "a bounded replay of the last 40 records: " + curve);
        assertTrue(curve.get("stop_reason").asText().startsWith("out of records after 40"), curve.toString());
        assertEquals(0, replay.code(), replay.err());

        var bad = ScheduleCommandTest.run("lr-find", "--config", job.toString(), "--start", "0", "--steps", "2",
                "--from", "nowhere");
        assertEquals(2, bad.code());
        for (String problem : List.of("--start must be a rate > 0", "--steps must be at least 12",
                "--from must be earliest, latest or committed")) {
            assertTrue(bad.err().contains(problem), bad.err());
        }

        // nothing new on the topic: --from latest ends after --wait, it never hangs
        var idle = ScheduleCommandTest.run("lr-find", "--config", job.toString(), "--from", "latest", "--wait", "2",
                "--plot", "none");
        assertEquals(1, idle.code(), idle.out() + idle.err());
        assertTrue(idle.out().contains("no new records for 2 s after 0 of 100 updates"), idle.out());
        assertTrue(idle.err().contains("no suggestions"), idle.err());
        // a job whose topic does not exist: a clear error, no topic created, no hang
        Path missing = jobFile(dir, "lrnone", "");
        var none = ScheduleCommandTest.run("lr-find", "--config", missing.toString(), "--plot", "none");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no training topic of the job exists yet (lrnone.train); produce to it first")
                && !none.err().contains("Exception"), none.err());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", AppTestBroker.broker().bootstrapServers()))) {
            assertTrue(!admin.listTopics().names().get().contains("lrnone.train"), "the range test created no topic");
        }
    }

    @Test
    void autoRangeFillsTheScheduleRecordsItAndReachesTheDemosAccuracy(@TempDir Path dir) throws Exception {
        Path job = jobFile(dir, "lrauto", """
                training: {eval-every: 100}
                schedule: {scheduler: OneCycleLR, params: {total_steps: 900}, auto-range: true}
                """);
        JobConfig cfg = dev.streamtrain.core.config.JobConfigLoader.load(job);
        assertTrue(cfg.autoRange());
        RunJobTest.seed(cfg, CsvRows.digits().split(0.8, 7), 20);
        var console = new ConsoleProgress(System.out, false);
        var outcome = AutoRange.resolve(job, cfg, AppTestBroker.broker().bootstrapServers(), console);
        double maxLr = outcome.event().filled().get("schedule.params.max_lr");
        assertEquals(outcome.event().suggestions().get("minimum_tenth"), maxLr, 1e-12);
        assertTrue(Files.exists(cfg.checkpoint().dir().resolve(AutoRange.RECORD)));
        assertEquals(maxLr, outcome.config().schedule().lr(269, outcome.config().schedule().initialState()), 1e-9,
                "OneCycleLR peaks at the filled max_lr at pct_start");
        try (Pipeline pipeline = Pipeline.start(outcome.config(), KafkaCluster.forJob(outcome.config()), console,
                900)) {
            var result = pipeline.result().get(5, java.util.concurrent.TimeUnit.MINUTES);
            assertTrue(result.training().validation().accuracy() >= 0.95, "the demo reaches 0.96: "
                    + result.training().validation());
        }
        var again = AutoRange.resolve(job, cfg, AppTestBroker.broker().bootstrapServers(), console);
        assertTrue(again.event().reused(), "a restarted run takes the recorded range");
        assertEquals(outcome.event().filled(), again.event().filled());
    }

    /** A job file on the test broker: digits as safetensors minibatches on {@code <job>.train}. */
    static Path jobFile(Path dir, String name, String extraYaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                job: %s
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {train-topic: %s.train, validation-topic: %s.validation, stop-at-end: true}
                model: {inputs: 64, hidden: [128], classes: 10}
                optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
                serving: {port: 0}
                %s
                """.formatted(name, dir.resolve("work"), AppTestBroker.broker().bootstrapServers(), name, name,
                extraYaml));
        return file;
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
