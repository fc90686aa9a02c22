package dev.streamtrain.app;

import dev.streamtrain.core.batch.BackPressureQueue;
import dev.streamtrain.core.batch.BatchQueueItem;
import dev.streamtrain.core.batch.EndOfStream;
import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.CheckpointSaved;
import dev.streamtrain.core.events.LrChanged;
import dev.streamtrain.core.events.StepMetrics;
import dev.streamtrain.core.events.TrainingFinished;
import dev.streamtrain.core.events.ValidationMetrics;
import dev.streamtrain.trainer.TrainerEvents;
import dev.streamtrain.trainer.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Training throughput of each optimizer and trick against plain SGD, in the same process: the real training loop
 * (DJL, PyTorch engine, one torch thread as configured) on the digits MLP 64-128-10, minibatches of 32 handed over
 * from a pre-filled queue (no Kafka), so the figures are the trainer's own cost. Every setup runs {@code rounds}
 * times, interleaved with the others; the median is reported.
 */
final class TrainBench {
    /** Named setups: the job-file YAML that differs from the baseline. */
    static final Map<String, String> SETUPS = setups();

    /**
     * @param setup setup name
     * @param samplesPerSecond median training throughput
     */
    record Result(String setup, double samplesPerSecond) {
    }

    private TrainBench() {
    }

    private static Map<String, String> setups() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("SGD", "optimizer: {name: SGD, params: {lr: 0.05}}");
        s.put("SGD, normalize: none", "optimizer: {name: SGD, params: {lr: 0.05}}\nmodel: {normalize: none}");
        s.put("SGD momentum, nesterov", "optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9, nesterov: true}}");
        s.put("Adam", "optimizer: {name: Adam, params: {lr: 0.001}}");
        s.put("AdamW amsgrad", "optimizer: {name: AdamW, params: {lr: 0.001, amsgrad: true}}");
        s.put("RMSprop centered", "optimizer: {name: RMSprop, params: {lr: 0.001, centered: true, momentum: 0.9}}");
        s.put("Adagrad", "optimizer: {name: Adagrad, params: {lr: 0.01}}");
        s.put("Adadelta", "optimizer: {name: Adadelta, params: {lr: 1.0}}");
        s.put("SGD + clip-grad-norm", "optimizer: {name: SGD, params: {lr: 0.05}}\ntricks: {clip-grad-norm: 1.0}");
        s.put("SGD + EMA", "optimizer: {name: SGD, params: {lr: 0.05}}\ntricks: {ema-decay: 0.999}");
        s.put("SGD + mixup", "optimizer: {name: SGD, params: {lr: 0.05}}\ntricks: {mixup-alpha: 0.2}");
        s.put("SGD + label smoothing", "optimizer: {name: SGD, params: {lr: 0.05}}\ntricks: {label-smoothing: 0.1}");
        return s;
    }

    static List<Result> run(LabeledRows rows, int updates, int rounds, Path scratch) throws Exception {
        List<MiniBatch> batches = new ArrayList<>();
        for (int i = 0; batches.size() < updates; i = (i + 32) % Math.max(1, rows.size() - 32)) {
            int to = i + 32;
            batches.add(new MiniBatch(32, rows.features(), rows.flatFeatures(i, to), rows.labels(i, to),
                    List.of(new OffsetRange("bench", 0, batches.size(), batches.size()))));
        }
        for (var e : SETUPS.entrySet()) { // native libraries, then every setup's code paths through the JIT
            once("warm-up-" + e.getKey(), e.getValue(), batches, scratch);
        }
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (var e : SETUPS.entrySet()) {
                samples.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(once(e.getKey() + "-" + round, e.getValue(), batches, scratch));
            }
        }
        List<Result> out = new ArrayList<>();
        samples.forEach((name, v) -> out.add(new Result(name, PipelineBench.median(v))));
        return out;
    }

    private static double once(String name, String yaml, List<MiniBatch> batches, Path scratch) throws Exception {
        return inMemory(name, """
                training: {eval-every: 1000000, log-every: 1000000}
                checkpoint: {keep: 1}
                %s
                """.formatted(yaml), batches, scratch);
    }

    /**
     * One run of the training loop over {@code batches} handed over from a pre-filled queue.
     *
     * @param name run name (its scratch directory)
     * @param yaml the job file without {@code job} and {@code work-dir}
     * @return samples per second, from the first minibatch to the end of the run
     */
    static double inMemory(String name, String yaml, List<MiniBatch> batches, Path scratch) throws Exception {
        return inMemory(name, yaml, batches, new ValidationSet(1), scratch).samplesPerSecond();
    }

    /** As above, evaluating on {@code validation} at the job's cadence; the run's report. */
    static TrainingFinished inMemory(String name, String yaml, List<MiniBatch> batches, ValidationSet validation,
            Path scratch) throws Exception {
        Path dir = Files.createDirectories(scratch.resolve(name.replaceAll("[^A-Za-z0-9.-]", "_")));
        var cfg = JobConfigLoader.parse("""
                job: bench
                work-dir: %s
                %s
                """.formatted(dir, yaml), "bench");
        var queue = new BackPressureQueue<BatchQueueItem>(batches.size() + 2, 1);
        batches.forEach(queue::put);
        queue.put(new EndOfStream(Map.of()));
        var done = new CompletableFuture<TrainingFinished>();
        TrainerEvents events = new TrainerEvents() {
            public void step(StepMetrics m) { }
            public void validation(ValidationMetrics m) { }
            public void checkpointSaved(CheckpointSaved c) { }
            public void lrChanged(LrChanged c) { }
            public void finished(TrainingFinished f) { done.complete(f); }
        };
        try (TrainingLoop loop = new TrainingLoop(cfg, queue, validation, events, System::nanoTime)) {
            Thread thread = new Thread(loop::run, "bench-trainer");
            thread.start();
            TrainingFinished f;
            try {
                f = done.get(10, TimeUnit.MINUTES);
            } catch (java.util.concurrent.TimeoutException e) {
                loop.stop();
                thread.join(60_000); // its natives are freed only once it stopped
                throw new IllegalStateException("the in-memory training run '" + name + "' did not finish within"
                        + " 10 minutes");
            }
            loop.stop();
            thread.join();
            return f;
        }
    }
}
