package dev.streamtrain.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.model.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;

/**
 * The main job: the digits data set split 80/20 (fixed seed), the validation part produced to
 * {@code streamtrain-demo.validation} and the training part streamed {@code passes} times, shuffled each pass, to
 * {@code streamtrain-demo.train}, as safetensors minibatch records; then the pipeline trains on them, exports, verifies
 * and serves the model.
 */
public final class Demo {
    static final int VALIDATION_BATCH = 64;

    private Demo() {
    }

    /** Produces the data and starts the pipeline; the caller waits for {@link Pipeline#result()} and closes it. */
    public static Pipeline start(DemoOptions o, ConsoleProgress console, PrintStream out) throws Exception {
        LabeledRows[] split = CsvRows.digits().split(0.8, o.seed());
        LabeledRows train = split[0];
        LabeledRows validation = split[1];
        long batchesPerPass = (train.size() + o.batchSize() - 1) / o.batchSize();
        long expectedUpdates = batchesPerPass * o.passes();
        JobConfig cfg = config(o, expectedUpdates);

        if (o.bootstrapServers().isBlank()) {
            AtomicFiles.deleteTree(o.workDir());
        }
        KafkaCluster cluster = KafkaCluster.forJob(cfg);
        try {
            out.println(cluster.embeddedBroker() != null
                    ? "embedded Kafka broker (KRaft) at " + cluster.bootstrapServers() + ", data in "
                            + cfg.workDir().resolve("kafka")
                    : "using Kafka at " + cluster.bootstrapServers());
            resetTopics(cluster, cfg);
            produce(cluster, cfg, train, validation, o, console, out);
            return Pipeline.start(cfg, cluster, console, expectedUpdates);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The demo's job config: {@code demo-job.yaml} with this run's paths, port, cluster and schedule length. */
    static JobConfig config(DemoOptions o, long expectedUpdates) throws IOException {
        ObjectNode tree;
        try (InputStream in = Demo.class.getResourceAsStream("/demo-job.yaml")) {
            tree = (ObjectNode) new YAMLMapper().readTree(in);
        }
        tree.put("work-dir", o.workDir().toString());
        tree.with("kafka").put("bootstrap-servers", o.bootstrapServers());
        tree.with("serving").put("port", o.port());
        ((ObjectNode) tree.at("/schedule/params/schedule/params")).put("total_steps", expectedUpdates);
        tree.with("training").put("seed", o.seed());
        return JobConfigLoader.fromTree(tree, "demo-job.yaml");
    }

    /** A demo on an external cluster starts from empty topics and no committed offsets. */
    private static void resetTopics(KafkaCluster cluster, JobConfig cfg) throws Exception {
        if (cluster.embeddedBroker() != null) {
            return;
        }
        try (Admin admin = cluster.admin()) {
            Set<String> existing = admin.listTopics().names().get();
            List<String> ours = List.of(cfg.ingest().trainTopic(), cfg.ingest().validationTopic()).stream()
                    .filter(existing::contains).toList();
            if (!ours.isEmpty()) {
                admin.deleteTopics(ours).all().get();
            }
            admin.deleteConsumerGroups(List.of(cfg.ingest().groupId())).all().whenComplete((v, e) -> { });
        }
    }

    private static void produce(KafkaCluster cluster, JobConfig cfg, LabeledRows train, LabeledRows validation,
            DemoOptions o, ConsoleProgress console, PrintStream out) throws Exception {
        cluster.ensureTopics(List.of(cfg.ingest().trainTopic(), cfg.ingest().validationTopic()),
                cfg.kafka().topicPartitions());
        try (RecordProducer producer = new RecordProducer(cluster.bootstrapServers(), cfg.kafka().producer())) {
            producer.send(cfg.ingest().validationTopic(), validation, RecordFormat.SAFETENSORS, VALIDATION_BATCH, null);
            Random rnd = new Random(o.seed());
            long total = (long) train.size() * o.passes();
            for (int pass = 0; pass < o.passes(); pass++) {
                if (o.poison() && pass == o.passes() / 2) {
                    producer.sendPoison(cfg.ingest().trainTopic(), train, o.batchSize());
                    out.printf("injected two poisoned minibatches before pass %d: features x1e30, and NaN labels%n",
                            pass + 1);
                }
                long before = (long) train.size() * pass;
                producer.send(cfg.ingest().trainTopic(), train.shuffled(rnd), RecordFormat.SAFETENSORS, o.batchSize(),
                        sent -> {
                            if (sent % (o.batchSize() * 8L) == 0) {
                                console.update("producing " + ConsoleProgress.bar(before + sent, total), false);
                            }
                        });
            }
            console.update("producing " + ConsoleProgress.bar(total, total), false);
            console.finish();
        }
        out.printf("produced %,d validation rows to %s and %,d training rows (%d passes of %,d, minibatches of %d)"
                + " to %s%n", validation.size(), cfg.ingest().validationTopic(), (long) train.size() * o.passes(),
                o.passes(), train.size(), o.batchSize(), cfg.ingest().trainTopic());
    }
}
