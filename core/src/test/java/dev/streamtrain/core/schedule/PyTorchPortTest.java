package dev.streamtrain.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtrain.core.config.ConfigException;
import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import dev.streamtrain.core.events.Events;
import org.junit.jupiter.api.Test;

/**
 * Specs written as PyTorch and LightningCLI users write them load unchanged and give PyTorch's own rates
 * ({@code src/test/resources/schedules/pytorch_examples.py}, run with PyTorch 1.13): full class names,
 * {@code class_path}/{@code init_args}, defaults stated (nulls included), {@code last_epoch: -1} and {@code verbose},
 * milestones out of order; and no schedule ever hands the optimizer a negative or non-finite rate.
 */
class PyTorchPortTest {
    @Test
    void theExamplesLoadAsWrittenAndGivePyTorchsRates() throws Exception {
        JsonNode golden = Events.mapper().readTree(getClass().getResourceAsStream("/schedules/pytorch_examples.json"));
        for (JsonNode c : golden.get("cases")) {
            var doc = ScheduleSpecs.parseDocument(c.get("spec").deepCopy(), c.get("name").asText());
            var controller = new LrController(doc.policy());
            JsonNode lr = c.get("lr");
            for (int t = 0; t < lr.size(); t++) {
                assertEquals(lr.get(t).asDouble(), controller.lr(t), 1e-12 * Math.max(1, lr.get(t).asDouble()),
                        c.get("name").asText() + " at step " + t);
            }
        }
    }

    @Test
    void oneCycleHoldsItsLastRateAndNoRateIsEverNegative() {
        var doc = ScheduleSpecs.parseDocument(json("{\"scheduler\": \"OneCycleLR\", \"params\": {\"max_lr\": 0.01,"
                + " \"total_steps\": 10, \"three_phase\": true, \"anneal_strategy\": \"linear\"}}"), "one-cycle");
        var controller = new LrController(doc.policy());
        for (long t = 9; t < 30; t++) {
            assertEquals(controller.lr(9), controller.lr(t), 0, "held from total_steps - 1 on (step " + t + ")");
        }
        assertTrue(controller.lr(10) >= 0, "PyTorch's walk gives -8e-4 at exactly total_steps; held here");
        LrSchedule broken = t -> t < 3 ? 0.1 : -0.001;
        var guarded = new LrController(new LrPolicy(broken, null, ScheduleClock.updates()));
        assertEquals(0.1, guarded.lr(2), 0);
        var e = assertThrows(InvalidRateException.class, () -> guarded.lr(3));
        assertTrue(e.getMessage().contains("-0.001 at step 3"), e.getMessage());
    }

    @Test
    void aLightningCliConfigsOptimizerAndSchedulerDropIntoAJobFile() {
        JobConfig job = JobConfigLoader.parse("""
                job: lightning
                model: {inputs: 64, hidden: [32], classes: 10}
                optimizer:
                  class_path: torch.optim.SGD
                  init_args: {lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false,
                              maximize: false, foreach: null, differentiable: false, fused: null}
                lr_scheduler:
                  class_path: torch.optim.lr_scheduler.StepLR
                  init_args: {step_size: 30, gamma: 0.1, last_epoch: -1, verbose: false}
                """, "lightning.yaml");
        assertEquals("SGD", job.optimizer().name());
        JobConfig defining = JobConfigLoader.parse("""
                job: module-paths
                model: {inputs: 4, hidden: [4], classes: 2}
                optimizer: {class_path: torch.optim.adam.Adam, init_args: {lr: 0.01, foreach: true, fused: false}}
                schedule:
                  class_path: torch.optim.lr_scheduler.OneCycleLR
                  init_args: {max_lr: 0.1, total_steps: 40, epochs: 4, steps_per_epoch: 7}
                """, "module-paths.yaml");
        assertEquals("Adam", defining.optimizer().name(), "the defining module's path, foreach/fused accepted");
        assertEquals(0.1, new LrController(defining.schedule()).lr(11), 1e-12, "total_steps wins, as in PyTorch");
        assertEquals(0.9, job.optimizer().momentum(), 0);
        var rate = new LrController(job.schedule());
        assertEquals(0.1, rate.lr(29), 1e-15);
        assertEquals(0.01, rate.lr(30), 1e-15);
    }

    @Test
    void whatAJobFileCannotExpressIsRefusedWithTheReasonByKey() {
        var e = assertThrows(ConfigException.class, () -> JobConfigLoader.parse("""
                job: refused
                model: {inputs: 4, hidden: [4], classes: 2}
                optimizer: {name: torch.optim.SGD, params: {lr: 0.1, maximize: true}}
                schedule:
                  scheduler: CyclicLR
                  params: {base_lr: 0.01, max_lr: 0.1, scale_fn: "lambda x: 0.5 ** x", last_epoch: 7, monitor: val_acc}
                lr_scheduler: {class_path: torch.optim.lr_scheduler.StepLR, init_args: {step_size: 3}}
                """, "refused.yaml"));
        for (String problem : new String[] {
            "optimizer.params.maximize: StreamTrain's optimizers run as PyTorch's with maximize false; true is not"
                    + " supported",
            "schedule.params.scale_fn: is a Python callable, which a job file cannot express; use mode",
            "schedule.params.last_epoch: 7 would resume a PyTorch scheduler part-way",
            "schedule.params.monitor: plateau control watches val_loss",
            "lr_scheduler: is LightningCLI's name for schedule, and the job has both; keep one"}) {
            assertTrue(e.getMessage().contains(problem), "missing '" + problem + "' in " + e.getMessage());
        }
    }

    private static JsonNode json(String text) {
        try {
            return Events.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
