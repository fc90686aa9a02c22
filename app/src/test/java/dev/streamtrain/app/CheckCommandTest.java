package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.streamtrain.broker.EmbeddedKafkaBroker;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.model.ModelSnapshotFiles;
import dev.streamtrain.core.wire.MiniBatchCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --check} and the job files it validates: every example job is valid, and what {@code --check} prints
 * loads back as the same job (LightningCLI and auto-range jobs included, secrets redacted).
 */
class CheckCommandTest {
    @org.junit.jupiter.api.io.TempDir
    Path dir;

    @Test
    void everyExampleJobFileIsValid() throws Exception {
        try (var files = Files.list(Path.of("..", "examples"))) {
            List<Path> examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(examples.size() >= 2, examples.toString());
            for (Path example : examples) {
                JobConfigLoader.load(example); // throws, listing every problem, if the README's examples rot
            }
        }
    }

    @Test
    void checkPrintsTheResolvedSettingsAsYaml() throws Exception {
        Path job = dir.resolve("check.yaml");
        Files.writeString(job, """
                job: shop
                ingest:
                  train-topics: [clicks, {topic: orders, format: csv, weight: 3}]
                tricks: {precision: fp16}
                """);
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        int code;
        System.setOut(new java.io.PrintStream(stdout, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                    "run", "--config", job.toString(), "--check");
        } finally {
            System.setOut(original);
        }
        String printed = stdout.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, printed);
        var tree = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(printed.substring(printed.indexOf('\n')));
        assertEquals("orders", tree.at("/ingest/train-topics/1/topic").asText());
        assertEquals("csv", tree.at("/ingest/train-topics/1/format").asText());
        assertEquals(3.0, tree.at("/ingest/train-topics/1/weight").asDouble());
        assertEquals("weighted", tree.at("/ingest/interleave").asText(), "weights given: weighted");
        assertEquals(65536.0, tree.at("/tricks/grad-scaler/init_scale").asDouble(), "the default, filled in");
        assertEquals("shop.validation", tree.at("/ingest/validation-topic").asText());
    }

    @Test
    void theReadmesLightningCliBlockLoadsAsAJobFile() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("optimizer:                       # copied from a LightningCLI config.yaml");
        assertTrue(start > 0, "the README shows a LightningCLI block");
        String block = readme.substring(start, readme.indexOf("```", start));
        JobConfig job = JobConfigLoader.parse("job: readme\nmodel: {inputs: 64, hidden: [128], classes: 10}\n" + block,
                "README.md");
        assertEquals("SGD", job.optimizer().name());
        assertEquals(0.1, new dev.streamtrain.core.schedule.LrController(job.schedule()).lr(269), 1e-12,
                "OneCycleLR at its peak");
    }

    @Test
    void whatCheckPrintsLoadsBackAsTheSameJobForEveryExample() throws Exception {
        try (var files = Files.list(Path.of("..", "examples"))) {
            for (Path example : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                var resolved = JobConfigLoader.resolved(example);
                String yaml = ResolvedConfig.yaml(resolved.settings());
                JobConfig again = JobConfigLoader.parse(yaml, "resolved " + example);
                assertEquals(resolved.config().hash(), again.hash(), example + " printed as:\n" + yaml);
                assertEquals(resolved.config(), again, example.toString());
                Path printed = Files.writeString(Files.createTempFile("resolved", ".yaml"), yaml);
                assertEquals(resolved.settings(), JobConfigLoader.resolved(printed).settings(),
                        "printing the printed job changes nothing: " + example);
            }
        }
        Path lightning = Files.writeString(Files.createTempFile("lightning", ".yaml"), """
                job: lightning
                model: {inputs: 4, hidden: [8], classes: 2}
                optimizer: {class_path: torch.optim.SGD, init_args: {lr: 0.1, momentum: 0.9, foreach: null}}
                lr_scheduler:
                  auto-range: true
                  class_path: torch.optim.lr_scheduler.OneCycleLR
                  init_args: {total_steps: 100, three_phase: false, epochs: null, last_epoch: -1}
                serving: {token: s3cret-token}
                kafka: {consumer: {sasl.jaas.config: "user=u password=hunter2", ssl.truststore.password: hunter3}}
                monitor: {webhooks: ["https://hooks.example/T000/B000/XXXXsecret"]}
                """);
        var printed = JobConfigLoader.resolved(lightning);
        String yaml = ResolvedConfig.yaml(printed.settings());
        assertTrue(!yaml.contains("s3cret-token") && !yaml.contains("max_lr"), "no token, no auto-range stand-in: " + yaml);
        for (String secret : List.of("hunter2", "hunter3", "XXXXsecret")) {
            assertTrue(!yaml.contains(secret), "a secret printed: " + secret + " in " + yaml);
        }
        assertTrue(yaml.contains(dev.streamtrain.core.config.ResolvedSettings.REDACTED), yaml);
        var healing = JobConfigLoader.resolved(Path.of("..", "examples", "self-healing-job.yaml")).settings();
        assertEquals(6.0, healing.at("/monitor/rules/loss_spike/z-threshold").asDouble(), "the job file's shape");
        assertEquals(0.001, healing.at("/early-stopping/min_delta").asDouble(), "Lightning's names");
    }
}
