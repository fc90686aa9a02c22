package dev.streamtrain.core.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lets scheduler and optimizer specs written for PyTorch or LightningCLI load as they are, by rewriting the parsed
 * tree before it is read (one place for the whole kind):
 * <ul>
 *   <li>jsonargparse's {@code class_path} / {@code init_args} become {@code scheduler} (or the optimizer's
 *       {@code name}) / {@code params};</li>
 *   <li>full class names lose their module: {@code torch.optim.lr_scheduler.StepLR} is {@code StepLR},
 *       {@code torch.optim.SGD} and {@code torch.optim.sgd.SGD} are {@code SGD} (also Lightning's
 *       {@code lightning.pytorch.cli.ReduceLROnPlateau});</li>
 *   <li>an argument stated as {@code null} takes its default, as in PyTorch;</li>
 *   <li>PyTorch's bookkeeping arguments are accepted at their defaults and dropped: {@code last_epoch: -1},
 *       {@code verbose}; the optimizers' {@code foreach}, {@code fused}, {@code capturable} (implementation choices,
 *       any value), {@code differentiable} and {@code maximize} at {@code false}; OneCycleLR's {@code epochs} and
 *       {@code steps_per_epoch} beside {@code total_steps} (PyTorch ignores them). Other values are refused with the
 *       reason, as are callables ({@code scale_fn}, {@code lr_lambda}), which a job file cannot express.</li>
 * </ul>
 */
public final class PyTorchSpecs {
    /** Packages whose classes are named by their last segment ({@code torch.optim.adam.Adam} is {@code Adam}). */
    private static final List<String> MODULES = List.of("torch.optim.", "lightning.pytorch.", "pytorch_lightning.");
    /** Optimizer flags that change the arithmetic: StreamTrain's optimizers match PyTorch's only at these values. */
    private static final Map<String, String> OPTIMIZER_FLAGS = Map.of("maximize", "false", "differentiable",
            "false");
    /** Optimizer flags that only choose PyTorch's implementation (same arithmetic): accepted whatever their value. */
    private static final List<String> IMPLEMENTATION_FLAGS = List.of("foreach", "fused", "capturable");

    private PyTorchSpecs() {
    }

    /**
     * Rewrites a scheduler spec and the specs nested in it.
     *
     * @param path the spec's key path, for problems
     * @param problems where refused arguments go ({@code path: message})
     */
    public static void scheduler(JsonNode spec, String path, List<String> problems) {
        if (!(spec instanceof ObjectNode node)) {
            return;
        }
        classPath(node, "scheduler");
        if (!(node.get("params") instanceof ObjectNode params)) {
            return;
        }
        dropNulls(params);
        JsonNode lastEpoch = params.remove("last_epoch");
        if (lastEpoch != null && lastEpoch.asLong(0) != -1) {
            problems.add(at(path) + "params.last_epoch: " + lastEpoch + " would resume a PyTorch scheduler part-way;"
                    + " StreamTrain's checkpoints hold the schedule's step themselves: leave it out or set -1");
        }
        params.remove("verbose"); // a logging switch PyTorch deprecated; the lr_changed events say what changed
        params.remove("optimizer"); // jsonargparse may name the optimizer it binds to: the job has one
        for (String callable : List.of("scale_fn", "lr_lambda")) {
            if (params.has(callable)) {
                problems.add(at(path) + "params." + callable + ": is a Python callable, which a job file cannot express;"
                        + (callable.equals("scale_fn") ? " use mode (triangular, triangular2, exp_range) and gamma"
                        : " use one of the named schedulers"));
                params.remove(callable);
            }
        }
        JsonNode monitor = params.remove("monitor"); // Lightning's ReduceLROnPlateau names the metric it watches
        if (monitor != null && !"val_loss".equals(monitor.asText())) {
            problems.add(at(path) + "params.monitor: plateau control watches val_loss (of validation.drive, or"
                    + " validation.external-metric with drive: external); '" + monitor.asText() + "' is not supported");
        }
        if ("OneCycleLR".equals(node.path("scheduler").asText()) && params.has("total_steps")) {
            params.remove("epochs"); // PyTorch ignores them when total_steps is given
            params.remove("steps_per_epoch");
        }
        scheduler(params.get("schedule"), at(path) + "params.schedule", problems);
        JsonNode children = params.get("schedulers");
        if (children != null && children.isArray()) {
            for (int i = 0; i < children.size(); i++) {
                scheduler(children.get(i), at(path) + "params.schedulers[" + i + "]", problems);
            }
        }
    }

    /** Rewrites an optimizer section ({@code name}/{@code params}, or {@code class_path}/{@code init_args}). */
    public static void optimizer(JsonNode section, String path, List<String> problems) {
        if (!(section instanceof ObjectNode node)) {
            return;
        }
        classPath(node, "name");
        if (!(node.get("params") instanceof ObjectNode params)) {
            return;
        }
        IMPLEMENTATION_FLAGS.forEach(params::remove);
        List<String> flags = new ArrayList<>(OPTIMIZER_FLAGS.keySet());
        java.util.Collections.sort(flags);
        for (String flag : flags) {
            JsonNode v = params.get(flag);
            if (v == null) {
                continue;
            }
            params.remove(flag);
            if (!v.isNull() && v.asBoolean(true)) {
                problems.add(at(path) + "params." + flag + ": StreamTrain's optimizers run as PyTorch's with " + flag
                        + " " + OPTIMIZER_FLAGS.get(flag) + "; " + v + " is not supported");
            }
        }
        dropNulls(params);
    }

    private static String at(String path) {
        return path.isEmpty() ? "" : path + ".";
    }

    /** {@code class_path}/{@code init_args} to {@code key}/{@code params}; a module-qualified name to its class. */
    private static void classPath(ObjectNode node, String key) {
        JsonNode classPath = node.remove("class_path");
        if (classPath != null && !node.has(key)) {
            node.set(key, classPath);
        }
        JsonNode initArgs = node.remove("init_args");
        if (initArgs != null && !node.has("params")) {
            node.set("params", initArgs);
        }
        if (node.get(key) != null && node.get(key).isTextual()) {
            String name = node.get(key).asText();
            for (String module : MODULES) {
                if (name.startsWith(module)) {
                    node.put(key, name.substring(name.lastIndexOf('.') + 1));
                }
            }
        }
    }

    private static void dropNulls(ObjectNode params) {
        List<String> nulls = new ArrayList<>();
        params.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                nulls.add(e.getKey());
            }
        });
        nulls.forEach(params::remove);
    }
}
