package dev.streamtrain.app;

import dev.streamtrain.core.batch.MiniBatch;
import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.config.RecordFormatSettings;
import dev.streamtrain.ingest.ConsumerSettings;
import dev.streamtrain.ingest.ExampleDecoders;
import dev.streamtrain.ingest.RecordValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * B1: the whole pipeline (embedded Kafka broker, ingest verticle, trainer, monitor, export) against the in-memory
 * training loop over the very same minibatches, same model, optimizer and cadence, in the same process. The digits
 * rows are encoded once as safetensors minibatch records; the in-memory loop gets those records decoded, the
 * pipeline reads them from a topic. Each is timed from its first minibatch to the end of training.
 */
final class PipelineBench {
    /** The bench's pipelines cycle through the digits rows, whose hard rows trip the loss-spike rule: its alerts off. */
    static final String QUIET_MONITOR = "monitor: {rules: {loss_spike: {enabled: false}}}\n";

    /** The job file both sides share: the setup (MLP 64-128-10, SGD momentum 0.9), no evaluation. */
    static final String TRAINING = QUIET_MONITOR + """
            model: {inputs: 64, hidden: [128], classes: 10}
            optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
            training: {eval-every: 1000000}
            checkpoint: {keep: 1}
            """;

    /** The default model and cadence (evaluation and a checkpoint every 50 updates), the same optimizer. */
    static final String DEFAULT_CADENCE = """
            model: {inputs: 64, hidden: [128], classes: 10}
            optimizer: {name: SGD, params: {lr: 0.05, momentum: 0.9}}
            """;

    /**
     * @param batchSize rows per minibatch record
     * @param samplesPerSecond median samples/s through Kafka
     * @param inMemorySamplesPerSecond median samples/s of the in-memory loop
     * @param waitingFraction median share of the pipeline trainer's time spent waiting for ingest (0..1)
     */
    record Result(int batchSize, double samplesPerSecond, double inMemorySamplesPerSecond, double waitingFraction) {
        @com.fasterxml.jackson.annotation.JsonProperty("ratio")
        double ratio() {
            return samplesPerSecond / inMemorySamplesPerSecond;
        }
    }

    /**
     * A topic's content: the record values and the minibatches they decode to.
     *
     * @param topic where the records are produced
     * @param values record values, in order
     * @param batches the same records decoded, in order
     * @param samples their rows in all
     */
    record Workload(String topic, List<byte[]> values, List<MiniBatch> batches, long samples) {
        Workload(String topic, List<byte[]> values, List<MiniBatch> batches) {
            this(topic, values, batches, batches.stream().mapToLong(MiniBatch::rows).sum());
        }
    }

    private PipelineBench() {
    }

    /** Minibatch records of {@code batchSize} rows cycling through {@code rows}, about {@code samples} rows in all. */
    static Workload workload(LabeledRows rows, int batchSize, long samples) {
        var validator = new RecordValidator(ExampleDecoders.forFormat(RecordFormatSettings.of("safetensors")),
                new RecordValidator.Expectation(rows.features(), 10, "softmax", "reject", 1e4, 1 << 24));
        List<byte[]> values = new ArrayList<>();
        List<MiniBatch> batches = new ArrayList<>();
        int usable = rows.size() - rows.size() % batchSize; // whole minibatches only: every update the same size
        for (long done = 0; done < samples; done += batchSize) {
            int from = (int) (done % usable);
            byte[] value = RecordEncoder.encode(rows, from, from + batchSize, RecordFormat.SAFETENSORS);
            values.add(value);
            var source = OffsetRange.single("bench", 0, values.size() - 1);
            if (!(validator.check(value, source) instanceof RecordValidator.Accepted a)) {
                throw new IllegalStateException("the benchmark's own record was rejected");
            }
            batches.add(a.batch());
        }
        return new Workload("bench.b" + batchSize, values, batches);
    }

    /** Produces every workload to its topic on the broker. */
    static void produce(String bootstrapServers, List<Workload> workloads) throws Exception {
        try (RecordProducer producer = new RecordProducer(bootstrapServers, Map.of())) {
            for (Workload w : workloads) {
                producer.sendValues(w.topic(), w.values(), null);
            }
        }
    }

    /** Warm-up, then {@code rounds} interleaved rounds of both sides for every workload; medians. */
    static List<Result> run(String bootstrapServers, List<Workload> workloads, int rounds, Path scratch)
            throws Exception {
        for (Workload w : workloads) { // native libraries, JIT, the broker's page cache
            TrainBench.inMemory("warm-up-" + w.topic(), TRAINING, w.batches(), scratch);
            throughThePipeline("warm-up-" + w.topic(), bootstrapServers, w, scratch);
        }
        List<Result> out = new ArrayList<>();
        List<List<Double>> piped = new ArrayList<>();
        List<List<Double>> inMemory = new ArrayList<>();
        List<List<Double>> waiting = new ArrayList<>();
        workloads.forEach(w -> {
            piped.add(new ArrayList<>());
            inMemory.add(new ArrayList<>());
            waiting.add(new ArrayList<>());
        });
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < workloads.size(); i++) {
                Workload w = workloads.get(i);
                inMemory.get(i).add(TrainBench.inMemory(w.topic() + "-" + round, TRAINING, w.batches(), scratch));
                var finished = throughThePipeline(w.topic() + "-" + round, bootstrapServers, w, scratch);
                piped.get(i).add(finished.samplesPerSecond());
                waiting.get(i).add(finished.time().share(finished.time().waitingMillis()));
            }
        }
        for (int i = 0; i < workloads.size(); i++) {
            int batchSize = workloads.get(i).batches().get(0).rows();
            out.add(new Result(batchSize, median(piped.get(i)), median(inMemory.get(i)),
                    median(waiting.get(i))));
        }
        return out;
    }

    /**
     * A plain consumer with the readers' settings and no group, on partition 0 of {@code topic}: at its beginning, or
     * at its end as of now ({@code fromEnd}).
     */
    static org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> plainConsumer(String bootstrapServers,
            String topic, boolean fromEnd) {
        var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
                new java.util.HashMap<String, Object>(ConsumerSettings.of(bootstrapServers, null, Map.of())));
        var tp = List.of(new org.apache.kafka.common.TopicPartition(topic, 0));
        consumer.assign(tp);
        if (fromEnd) {
            consumer.seekToEnd(tp);
            consumer.position(tp.get(0)); // resolved now: records produced from here on are read
        } else {
            consumer.seekToBeginning(tp);
        }
        return consumer;
    }

    static double median(List<Double> v) {
        return v.stream().sorted().toList().get(v.size() / 2);
    }

    /** The bench's bounded job on {@code topic}, from the earliest offset, with a new group and work directory. */
    static JobConfig job(String name, String bootstrapServers, String topic, Path scratch) {
        return job(name, bootstrapServers, topic, scratch, true, TRAINING);
    }

    /** As above, bounded or endless, with the given model, optimizer and cadence. */
    static JobConfig job(String name, String bootstrapServers, String topic, Path scratch, boolean bounded,
            String training) {
        return JobConfigLoader.parse(jobYaml(name, bootstrapServers, topic, scratch, bounded, training), "bench");
    }

    /**
     * The job file of {@link #job}: job {@code bench-<name>}, working in {@code scratch/bench-<name>}. Endless runs
     * export no candidates while they are measured (serving has figures of its own).
     */
    static String jobYaml(String name, String bootstrapServers, String topic, Path scratch, boolean bounded,
            String training) {
        String job = "bench-" + name.replaceAll("[^A-Za-z0-9-]", "-");
        return """
                job: %s
                work-dir: %s
                kafka: {bootstrap-servers: "%s"}
                ingest: {train-topic: %s, stop-at-end: %s, start: earliest}
                serving: {port: 0}
                deploy: {every_seconds: 0}
                %s
                """.formatted(job, scratch.resolve(job), bootstrapServers, topic, bounded, training);
    }

    /** One bounded run of the whole pipeline on the workload's topic, from the earliest offset (a new group). */
    private static dev.streamtrain.core.events.TrainingFinished throughThePipeline(String name,
            String bootstrapServers, Workload w, Path scratch) throws Exception {
        JobConfig cfg = job(name, bootstrapServers, w.topic(), scratch);
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), ConsoleProgress.silent(), 0)) {
            dev.streamtrain.core.events.TrainingFinished training;
            try {
                training = pipeline.result().get(10, TimeUnit.MINUTES).training();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("B1: the pipeline run failed: "
                        + dev.streamtrain.core.events.Failures.describe(e.getCause()), e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("B1: the pipeline run did not finish within 10 minutes");
            }
            if (training.samples() != w.samples()) {
                throw new IllegalStateException("the pipeline trained " + training.samples() + " of " + w.samples()
                        + " samples");
            }
            return training;
        }
    }
}
