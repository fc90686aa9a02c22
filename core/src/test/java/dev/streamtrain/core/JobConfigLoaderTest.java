package dev.streamtrain.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.ConfigException;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobConfigLoaderTest {

    @Test
    void emptyFileGivesDocumentedDefaults() {
        JobConfig c = JobConfigLoader.parse("", "test");
        assertEquals("streamtrain", c.job());
        assertEquals("streamtrain.train", c.ingest().trainTopic());
        assertEquals("streamtrain.validation", c.ingest().validationTopic());
        assertTrue(c.kafka().embedded());
        assertEquals(List.of(64, 128, 10), c.model().widths());
        assertEquals(Path.of("work/streamtrain/checkpoints"), c.checkpoint().dir());
        assertEquals(0.0, c.optimizer().momentum(), "PyTorch SGD default");
        assertEquals("SGD", c.optimizer().name());
        assertEquals(0.05, c.schedule().lr(1000, c.schedule().initialState()), 0, "constant by default");
        assertEquals(null, c.schedule().plateau());
    }

    @Test
    void readsEveryKeyOfAFullFile() {
        JobConfig c = JobConfigLoader.parse("""
                job: digits
                work-dir: /tmp/st
                kafka:
                  bootstrap-servers: "10.0.0.1:9092"
                  consumer: {security.protocol: SSL, fetch: {max.bytes: 1000}}
                ingest: {train-topic: a, validation-topic: b, queue-capacity: 8, stop-at-end: true}
                model: {inputs: 4, hidden: [16, 8], classes: 3, activation: tanh}
                optimizer: {name: SGD, params: {lr: 0.2, momentum: 0.5, nesterov: true, weight_decay: 0.01}}
                schedule:
                  scheduler: ReduceLROnPlateau
                  params: {factor: 0.5, patience: 2, schedule: {scheduler: StepLR, params: {step_size: 10}}}
                  clock: {unit: samples}
                training: {eval-every: 5, max-updates: 99}
                serving: {port: 0}
                """, "test");
        assertEquals("digits", c.job());
        assertEquals("SSL", c.kafka().consumer().get("security.protocol"));
        assertEquals("1000", c.kafka().consumer().get("fetch.max.bytes"));
        assertEquals(List.of(4, 16, 8, 3), c.model().widths());
        assertEquals("tanh", c.model().activation());
        assertEquals(8, c.ingest().queueCapacity());
        assertTrue(c.ingest().stopAtEnd());
        assertEquals(0.2, c.optimizer().lr());
        assertTrue(c.optimizer().nesterov());
        assertEquals(0.01, c.optimizer().weightDecay());
        assertEquals(0.5, c.schedule().plateau().factor());
        assertEquals(0.02, c.schedule().lr(10, c.schedule().initialState()), 1e-12, "StepLR scales optimizer.params.lr");
        assertEquals("samples", c.schedule().clock().unit());
        assertEquals(99, c.training().maxUpdates());
        assertEquals(0, c.serving().port());
        assertEquals(Path.of("/tmp/st/checkpoints"), c.checkpoint().dir());
    }

    @Test
    void listsEveryProblemWithItsKey() {
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse("""
                job: "bad name"
                ingest: {train-topic: same, validation-topic: same, queue-capacity: 1}
                model: {hidden: [0], activation: swish}
                optimizer: {name: lamb, params: {lr: -1, momentum: 2}}
                schedule: {scheduler: ReduceLROnPlateau, params: {factor: 1.5}, clok: 1}
                training: {eval-every: "often"}
                extra: 1
                """, "job.yaml"));
        List<String> problems = e.problems();
        for (String key : List.of("job:", "ingest.validation-topic:", "ingest.queue-capacity:", "model.hidden[0]:",
                "model.activation:", "optimizer.name:", "optimizer.params.lr:", "optimizer.params.momentum:",
                "schedule.params: factor must be in (0, 1)",
                "schedule.clok: unknown key (did you mean 'schedule.clock'?)",
                "training.eval-every: must be a whole number", "extra: unknown key")) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(key)), () -> "no problem for " + key + " in " + problems);
        }
        assertEquals(12, problems.size(), problems::toString);
        assertTrue(e.getMessage().startsWith("invalid job config job.yaml (12 problems)"), e.getMessage());
    }

    @Test
    void syntaxErrorsAreReportedNotThrownRaw() {
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse("model: [unclosed", "x.yaml"));
        assertTrue(e.problems().get(0).startsWith("(syntax): not valid YAML (line "), e.getMessage());
        var tab = assertThrows(ConfigException.class, () -> JobConfigLoader.parse("model:\n\tinputs: 4\n", "t.yaml"));
        assertEquals(List.of("(syntax): not valid YAML: line 2 is indented with a tab, and YAML indents with spaces"),
                tab.problems());
        // the parser's own words (SnakeYAML's, Jackson's) and Java class names stay out of what the user reads
        var unknown = assertThrows(IllegalArgumentException.class, () -> dev.streamtrain.core.events.Events.fromJson(
                "{\"job\": \"j\", \"update\": \"many\"}", dev.streamtrain.core.events.LrChanged.class));
        assertEquals("not a lr_changed event: field 'update' has the wrong type or is missing", unknown.getMessage());
        var header = assertThrows(dev.streamtrain.core.wire.WireFormatException.class,
                () -> dev.streamtrain.core.wire.Safetensors.decode(safetensorsWithHeader("{\"x\" 1}")));
        assertEquals("safetensors: header is not JSON (line 1, column 6)", header.getMessage());
    }

    private static byte[] safetensorsWithHeader(String header) {
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var buf = java.nio.ByteBuffer.allocate(8 + h.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return buf.putLong(h.length).put(h).array();
    }

    @Test
    void severalTopicsEachWithItsFormatAndWeight() {
        JobConfig c = JobConfigLoader.parse("""
                job: shop
                ingest:
                  format: json
                  json-x-field: features
                  train-topics:
                    - clicks
                    - {topic: orders.csv, format: csv, csv-columns: [id, amount, label], csv-label-column: label,
                       csv-feature-columns: [amount], weight: 3}
                    - {topic: batches, format: npz, features-tensor: inputs, weight: 0.5}
                  train-topic-pattern: 'shop\\.extra\\..*'
                  topic-refresh-ms: 500
                """, "test");
        var ingest = c.ingest();
        assertEquals(List.of("clicks", "orders.csv", "batches"), ingest.trainTopics().stream().map(t -> t.topic()).toList());
        var clicks = ingest.trainTopics().get(0);
        assertEquals("json", clicks.format().format(), "a bare name takes the section's format");
        assertEquals("features", clicks.format().jsonXField());
        assertEquals(1.0, clicks.weight());
        var orders = ingest.trainTopics().get(1);
        assertEquals("csv", orders.format().format());
        assertEquals(0, orders.format().labelIndex(2) - 2, "label named 'label' is column 2");
        assertEquals(List.of("amount"), orders.format().csvFeatureColumns());
        assertEquals(3.0, orders.weight());
        assertEquals("inputs", ingest.trainTopics().get(2).format().featuresTensor());
        assertEquals("weighted", ingest.interleave(), "weights given: weighted interleaving by default");
        assertEquals("shop\\.extra\\..*", ingest.trainTopicPattern());
        assertEquals(500, ingest.topicRefreshMillis());
        assertEquals("json", ingest.format().format(), "the validation topic reads the section's format");
        assertEquals("clicks, orders.csv, batches, topics matching /shop\\.extra\\..*/", ingest.describeSources());

        JobConfig patternOnly = JobConfigLoader.parse("ingest: {train-topic-pattern: 'sensors-.*'}", "test");
        assertTrue(patternOnly.ingest().trainTopics().isEmpty(), "a pattern alone names no topic");
        assertEquals("arrival", patternOnly.ingest().interleave());
    }

    @Test
    void topicListProblemsNameTheirEntry() {
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse("""
                ingest:
                  train-topic: a
                  train-topics: [a, {topic: b, weight: 0, formt: csv}, {weight: 2}, a, 7.5]
                  train-topic-pattern: "(unclosed"
                  csv-header: check
                  csv-label-column: price
                """, "job.yaml"));
        List<String> problems = e.problems();
        for (String key : List.of("ingest.train-topic: use either",
                "ingest.train-topics[1].weight: must be in (0.0",
                "ingest.train-topics[1].formt: unknown key (did you mean 'ingest.train-topics[1].format'?)",
                "ingest.train-topics[2].topic: is required",
                "ingest.train-topics[3]: names topic 'a' twice",
                "ingest.train-topics[4]: must be a topic name",
                "ingest.train-topic-pattern: is not a regular expression",
                "ingest.csv-header: check needs csv-columns",
                "ingest.csv-label-column: 'price' is neither a column index nor one of csv-columns")) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(key)), () -> "no problem for " + key + " in " + problems);
        }
    }

    @Test
    void gradScalerTakesPyTorchNamesAndBf16IsRefusedWithTheReason() {
        var c = JobConfigLoader.parse("tricks: {precision: fp16, grad-scaler: {init_scale: 1024, growth_interval: 50}}",
                "t");
        assertEquals(1024, c.tricks().gradScaler().initScale());
        assertEquals(50, c.tricks().gradScaler().growthInterval());
        assertEquals(0.5, c.tricks().gradScaler().backoffFactor(), "PyTorch's default");
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse(
                "tricks: {precision: bf16, grad-scaler: {backoff_factor: 1.5, growth: 2}}", "t"));
        List<String> problems = e.problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("tricks.precision: bf16 is not available: DJL's PyTorch"
                + " engine has no bfloat16 type")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("tricks.grad-scaler.backoff_factor:")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("tricks.grad-scaler.growth: unknown key")),
                problems::toString);
    }

    @Test
    void monitorRemediationRollbackAndEarlyStoppingListEveryProblemByKey() {
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse("""
                monitor:
                  throttle-ms: -1
                  webhooks: [ftp://x, {url: "http://ok", retries: -2}]
                  rules:
                    loss_spike: {z-threshold: -3, warmpu: 5}
                    no_such_rule: {enabled: true}
                remediation:
                  actions: {loss_spike: explode}
                  reduce-lr-factor: 1.5
                rollback: {lr-factor: 0, replay: maybe}
                early-stopping: {mode: up, patience: -1}
                """, "job.yaml"));
        List<String> problems = e.problems();
        for (String key : List.of("monitor.throttle-ms", "monitor.webhooks[0].url", "monitor.webhooks[1].retries",
                "monitor.rules.loss_spike.z-threshold", "monitor.rules.loss_spike.warmpu: unknown key",
                "monitor.rules.no_such_rule", "remediation.actions.loss_spike", "remediation.reduce-lr-factor",
                "rollback.lr-factor", "rollback.replay", "early-stopping.mode", "early-stopping.patience")) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(key) || p.contains(key)), key + " in " + problems);
        }
        assertEquals(12, problems.size(), problems.toString());

        JobConfig ok = JobConfigLoader.parse("early-stopping: {monitor: val_accuracy, restore_best: true}", "t");
        assertEquals("max", ok.earlyStopping().mode(), "accuracy is maximised by default");
        assertTrue(ok.earlyStopping().enabled() && ok.earlyStopping().restoreBest());
        assertEquals("none", ok.remediation().actionFor("loss_spike"), "a spike alerts; non-finite numbers roll back");
        assertEquals("rollback", ok.remediation().actionFor("non_finite_loss"));
        assertEquals("none", ok.remediation().actionFor("overfitting"));
        assertEquals(6.0, ok.monitor().rule("loss_spike").get("z-threshold"));
        assertTrue(!JobConfigLoader.parse("", "t").earlyStopping().enabled(), "off unless the section is present");
    }

    @Test
    void healthSectionsMustBeMapsAndEarlyStoppingMustWatchAMetricTheJobProduces() {
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse("""
                monitor: 5
                rollback: true
                validation: {sources: [topic, prequental], drive: holdout}
                early-stopping: false
                remediation: {actions: {loss_spike: none}}
                """, "job.yaml"));
        List<String> problems = e.problems();
        for (String expected : List.of("monitor: must be a section (a map of keys), got number",
                "rollback: must be a section (a map of keys), got boolean",
                "early-stopping: must be a section (a map of keys), got boolean",
                "validation.sources: 'prequental' is not a validation source",
                "validation.drive: 'holdout' must be one of the sources [topic]")) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(expected)), expected + " in " + problems);
        }
        var typo = assertThrows(ConfigException.class, () -> JobConfigLoader.parse(
                "early-stopping: {monitor: val_los}\nmonitor: {rules: {loss_spike: {warmup: 20.5}}}", "t"));
        assertTrue(typo.problems().get(0).startsWith("monitor.rules.loss_spike.warmup: must be a whole number"),
                typo.problems().toString());
        assertTrue(typo.problems().get(1).startsWith("early-stopping.monitor: 'val_los' is not a metric this job"),
                typo.problems().toString());
        JobConfig external = JobConfigLoader.parse("""
                validation: {sources: [external]}
                early-stopping: {monitor: revenue_loss}
                """, "t");
        assertEquals("revenue_loss", external.earlyStopping().monitor(), "any name the external topic may carry");
        assertEquals("earliest", JobConfigLoader.parse("", "t").ingest().start(), "a new model reads everything");
        assertTrue(assertThrows(ConfigException.class, () -> JobConfigLoader.parse("ingest: {start: newest}", "t"))
                .problems().get(0).startsWith("ingest.start: must be one of [earliest, latest, committed]"));
        assertEquals("warning", JobConfigLoader.parse("", "t").monitor().rule("loss_spike").severity(),
                "a spike is worth a look; broken numbers are critical");
    }

    @Test
    void deployDefaultsFollowTheRunKindAndBadKeysAreNamed() {
        var endless = JobConfigLoader.parse("", "t").deploy();
        assertEquals(60, endless.everySeconds(), "an endless run serves a candidate a minute by default");
        assertTrue(endless.continuous());
        var bounded = JobConfigLoader.parse("ingest: {stop-at-end: true}", "t").deploy();
        assertTrue(!bounded.continuous(), "a bounded run serves its final model only, unless asked");
        var accuracy = JobConfigLoader.parse("deploy: {monitor: val_accuracy, every_n_train_steps: 500, keep: 3}",
                "t").deploy();
        assertEquals("max", accuracy.mode(), "accuracy is maximised by default");
        assertEquals(500, accuracy.everyNTrainSteps());
        assertTrue(accuracy.improves(0.91, 0.9) && !accuracy.improves(0.89, 0.9));
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse(
                "deploy: {monitor: val_los, mode: down, min_delta: -1, keep: 0, every_seconds: x, shadow: 5}", "t"));
        for (String key : List.of("deploy.monitor", "deploy.mode", "deploy.min_delta", "deploy.keep",
                "deploy.every_seconds", "deploy.shadow: unknown key")) {
            assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(key)), key + " in " + e.problems());
        }
        assertEquals(6, e.problems().size(), e.problems().toString());
        var auc = assertThrows(ConfigException.class, () -> JobConfigLoader.parse(
                "deploy: {monitor: val_auc, regression_delta: 0.05}", "t"));
        assertTrue(auc.problems().get(0).startsWith("deploy.regression_delta: serving measures only val_loss or"
                + " val_accuracy live"), auc.problems().toString());
        assertEquals(0.05, JobConfigLoader.parse("deploy: {regression_delta: 0.05}", "t").deploy().regressionDelta());
        assertEquals(JobConfigLoader.parse("job: a", "t").hash(), JobConfigLoader.parse("job: a", "t").hash());
        assertTrue(JobConfigLoader.parse("job: a", "t").hash().matches("sha256:[0-9a-f]{64}"));
        assertTrue(!JobConfigLoader.parse("job: a", "t").hash().equals(
                JobConfigLoader.parse("job: a\noptimizer: {name: SGD, params: {lr: 0.01}}", "t").hash()),
                "any setting changes it");
    }
}
