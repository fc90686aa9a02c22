package dev.streamtrain.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Settings that cannot take effect with the rest of the job are refused at load, each with its reason. */
class CrossSectionChecksTest {
    private static List<String> problems(String yaml) {
        return assertThrows(ConfigException.class, () -> JobConfigLoader.parse(yaml, "job.yaml")).problems();
    }

    @Test
    void everyMootSettingIsRefusedByKeyAtOnce() {
        List<String> p = problems("""
                model: {inputs: 4, hidden: [], classes: 1, head: identity, batch-norm: true, dropout: 0.2}
                optimizer: {name: Adagrad, params: {lr: 0.01}}
                schedule: {scheduler: OneCycleLR, params: {max_lr: 0.1, total_steps: 100}}
                tricks: {label-smoothing: 0.1, clip-norm-type: inf, grad-scaler: {init_scale: 1024}, no-bias-decay: true}
                training: {huber-delta: 2}
                validation: {top-k: 3}
                """);
        assertEquals(List.of(
                "tricks.label-smoothing: applies to cross_entropy only (PyTorch's CrossEntropyLoss label_smoothing);"
                        + " training.loss is mse",
                "training.huber-delta: is HuberLoss's delta; training.loss is mse (use loss: huber, or leave"
                        + " huber-delta out)",
                "tricks.grad-scaler: scales fp16 losses (PyTorch's GradScaler); tricks.precision is fp32",
                "tricks.no-bias-decay: has no effect: optimizer.params.weight_decay is 0",
                "model.batch-norm: acts on hidden layers, and model.hidden is [] (the model is one dense layer)",
                "model.dropout: acts on hidden layers, and model.hidden is [] (the model is one dense layer)",
                "validation.top-k: is a top-k accuracy over classes, for a softmax head; model.head is identity",
                "schedule: cycles the momentum (cycle_momentum, on by default) and Adagrad has no momentum or beta1;"
                        + " PyTorch refuses this too: set cycle_momentum: false"), p);
    }

    @Test
    void theSameSettingsWhereTheyTakeEffectLoadAndDefaultsAreNeverRefused() {
        // run --check prints every default; a default is what the job gets anyway, so it is never moot
        JobConfigLoader.parse("""
                model: {hidden: [], head: identity, classes: 1, batch-norm: false, dropout: 0, activation: relu}
                optimizer: {name: Adagrad, params: {lr: 0.01}}
                tricks: {clip-norm-type: 2, grad-scaler: {init_scale: 65536}, weight-decay-mode: coupled}
                training: {huber-delta: 1.0}
                validation: {top-k: 5}
                """, "job.yaml");
        JobConfigLoader.parse("""
                model: {inputs: 4, hidden: [8], classes: 5, batch-norm: true, dropout: 0.2}
                optimizer: {name: Adagrad, params: {lr: 0.01, weight_decay: 0.001}}
                schedule: {scheduler: OneCycleLR, params: {max_lr: 0.1, total_steps: 100, cycle_momentum: false}}
                tricks: {label-smoothing: 0.1, clip-grad-norm: 1, clip-norm-type: 1, no-bias-decay: true}
                validation: {top-k: 3}
                """, "job.yaml");
        JobConfigLoader.parse("model: {head: identity, classes: 1}\ntraining: {loss: huber, huber-delta: 2}\n", "j");
    }

    @Test
    void weightDecayModesThatCannotApplyAreRefused() {
        assertEquals(List.of("tricks.weight-decay-mode: decoupled has no effect: optimizer.params.weight_decay is 0"),
                problems("tricks: {weight-decay-mode: decoupled}\n"));
        assertEquals(List.of("validation.top-k: must be below model.classes (3): the top-3 accuracy of 3 classes is"
                + " always 1"), problems("model: {classes: 3}\nvalidation: {top-k: 3}\n"));
    }

    @Test
    void recordFormatKeysOfAnotherFormatAreRefusedWhereTheyAreSet() {
        assertEquals(List.of("ingest.csv-columns: is read by the csv format only; the records here are json",
                "ingest.features-tensor: is read by the safetensors and npz formats only; the records here are json"),
                problems("ingest: {format: json, csv-columns: [a, b], features-tensor: pixels}\n"));
        assertEquals(List.of("ingest.train-topics[1].json-x-field: is read by the json format only; the records here"
                + " are csv"), problems("""
                ingest:
                  train-topics:
                    - {topic: a, format: json, json-x-field: input}
                    - {topic: b, format: csv, json-x-field: input}
                """));
        // a section-level CSV setting serves the CSV topics that inherit it
        JobConfigLoader.parse("""
                ingest:
                  csv-delimiter: ";"
                  train-topics: [{topic: a}, {topic: b, format: csv}]
                """, "job.yaml");
    }
}
