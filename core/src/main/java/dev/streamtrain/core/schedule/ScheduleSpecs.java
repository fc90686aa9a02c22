package dev.streamtrain.core.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtrain.core.config.ConfigException;
import dev.streamtrain.core.config.ConfigReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses schedule specs: {@code {"scheduler": "<name>", "params": {...}}}, PyTorch names, argument names and
 * defaults; {@code SequentialLR}, {@code ChainedScheduler} and {@code warmup} nest specs ({@code params.schedulers},
 * {@code params.schedule}); {@code ReduceLROnPlateau}, outermost only, may wrap one ({@code params.schedule}).
 * Job files and {@code streamtrain schedule} share this parser, so every problem is reported with its key path.
 */
public final class ScheduleSpecs {
    /** Every scheduler name accepted. */
    public static final List<String> NAMES = List.of("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
            "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "LinearLR", "ConstantLR", "PolynomialLR",
            "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau", "InverseTimeLR", "WarmupCosine",
            "WarmupMultiStep", "HoldCosine", "warmup", "SGDR");
    private static final double BIG = Double.MAX_VALUE;

    private ScheduleSpecs() {
    }

    /**
     * A spec document for {@code streamtrain schedule}.
     *
     * @param policy the parsed policy
     * @param baseLr the optimizer's rate the schedules scale
     * @param momentum the optimizer's momentum before any cycling
     */
    public record Document(LrPolicy policy, double baseLr, double momentum) {
    }

    /** Parses a spec document: scheduler, params, base_lr (default 0.1), momentum (default 0.9), clock. */
    public static Document parseDocument(JsonNode root, String source) {
        List<String> problems = new ArrayList<>();
        PyTorchSpecs.scheduler(root, "", problems);
        ConfigReader r = new ConfigReader(root, "", problems);
        double baseLr = r.decimal("base_lr", 0.1, 0, BIG, false);
        double momentum = r.decimal("momentum", 0.9, 0, 1, true);
        LrPolicy policy = parseSection(r, baseLr);
        r.reportUnknownKeys();
        if (!problems.isEmpty() || policy == null) {
            throw new ConfigException(source, problems);
        }
        return new Document(policy, baseLr, momentum);
    }

    /**
     * Parses a schedule section (the keys {@code scheduler}, {@code params}, {@code clock} of {@code r}) without
     * reporting unknown keys of {@code r} itself; problems go to {@code r}'s list.
     *
     * @return the policy, or null when there were problems
     */
    public static LrPolicy parseSection(ConfigReader r, double baseLr) {
        ScheduleClock clock = clock(new ConfigReader(r.raw("clock"), r.path("clock"), r.problems()));
        if (!r.has("scheduler")) {
            r.raw("params");
            return clock == null ? null : new LrPolicy(new ConstantLR(baseLr, 1, 0), null, clock);
        }
        String name = r.choice("scheduler", null, NAMES);
        if (name == null) {
            return null;
        }
        if (!name.equals("ReduceLROnPlateau")) {
            LrSchedule s = schedule(r, baseLr);
            return s == null || clock == null ? null : new LrPolicy(s, null, clock);
        }
        ConfigReader p = params(r);
        ReduceLROnPlateau plateau = build(r, () -> new ReduceLROnPlateau(
                p.choice("mode", "min", List.of("min", "max")),
                num(p, "factor", 0.1),
                whole(p, "patience", 10),
                num(p, "threshold", 1e-4),
                p.choice("threshold_mode", "rel", List.of("rel", "abs")),
                whole(p, "cooldown", 0),
                num(p, "min_lr", 0),
                num(p, "eps", 1e-8),
                p.choice("on_plateau", "reduce", List.of("reduce", "restart")),
                num(p, "restart_decay", 1.0)));
        LrSchedule inner = p.has("schedule") ? nested(p, "schedule", baseLr) : new ConstantLR(baseLr, 1, 0);
        p.reportUnknownKeys();
        return plateau == null || inner == null || clock == null ? null : new LrPolicy(inner, plateau, clock);
    }

    private static ScheduleClock clock(ConfigReader c) {
        String unit = c.choice("unit", "updates", ScheduleClock.UNITS);
        long epochUpdates = c.integer("epoch_updates", 1, 1, Long.MAX_VALUE);
        if (unit.equals("epochs") && !c.has("epoch_updates")) {
            c.problem("epoch_updates", "is required with unit: epochs (an epoch is a number of updates)");
            return null;
        }
        c.reportUnknownKeys();
        return new ScheduleClock(unit, epochUpdates);
    }

    private static ConfigReader params(ConfigReader spec) {
        return new ConfigReader(spec.raw("params"), spec.path("params"), spec.problems());
    }

    /** Parses a nested spec at {@code p.key} and reports its unknown keys. */
    private static LrSchedule nested(ConfigReader p, String key, double baseLr) {
        return nestedSpec(new ConfigReader(p.raw(key), p.path(key), p.problems()), baseLr);
    }

    private static LrSchedule nestedSpec(ConfigReader spec, double baseLr) {
        LrSchedule s = schedule(spec, baseLr);
        spec.reportUnknownKeys();
        return s;
    }

    /**
     * A closed-form schedule from a {scheduler, params} node; null (with problems recorded) when invalid. Unknown
     * keys of the node itself are the caller's to report.
     */
    static LrSchedule schedule(ConfigReader spec, double baseLr) {
        if (!spec.require("scheduler")) {
            return null;
        }
        String name = spec.choice("scheduler", null, NAMES);
        if (name == null) {
            return null;
        }
        ConfigReader p = params(spec);
        LrSchedule s = switch (name) {
            case "StepLR" -> req(p, "step_size") ? build(spec, () -> new StepLR(baseLr, whole(p, "step_size", 0),
                    num(p, "gamma", 0.1))) : null;
            case "MultiStepLR" -> req(p, "milestones") ? build(spec, () -> new MultiStepLR(baseLr,
                    sorted(longs(p, "milestones")), num(p, "gamma", 0.1))) : null;
            case "ExponentialLR" -> req(p, "gamma") ? build(spec, () -> new ExponentialLR(baseLr, num(p, "gamma", 0)))
                    : null;
            case "CosineAnnealingLR" -> req(p, "T_max") ? build(spec, () -> new CosineAnnealingLR(baseLr,
                    whole(p, "T_max", 0), num(p, "eta_min", 0))) : null;
            case "CosineAnnealingWarmRestarts", "SGDR" -> req(p, "T_0") ? build(spec, () ->
                    new CosineAnnealingWarmRestarts(baseLr, whole(p, "T_0", 0), whole(p, "T_mult", 1),
                            num(p, "eta_min", 0), name.equals("SGDR") ? num(p, "decay", 1.0) : 1.0)) : null;
            case "CyclicLR" -> cyclic(spec, p);
            case "OneCycleLR" -> oneCycle(spec, p);
            case "LinearLR" -> build(spec, () -> new LinearLR(baseLr, num(p, "start_factor", 1.0 / 3),
                    num(p, "end_factor", 1.0), whole(p, "total_iters", 5)));
            case "ConstantLR" -> build(spec, () -> new ConstantLR(baseLr, num(p, "factor", 1.0 / 3),
                    whole(p, "total_iters", 5)));
            case "PolynomialLR" -> build(spec, () -> new PolynomialLR(baseLr, whole(p, "total_iters", 5),
                    num(p, "power", 1.0)));
            case "SequentialLR" -> {
                boolean hasMilestones = req(p, "milestones");
                List<LrSchedule> children = children(p, baseLr);
                yield children == null || !hasMilestones ? null
                        : build(spec, () -> new SequentialLR(children, longs(p, "milestones")));
            }
            case "ChainedScheduler" -> {
                List<LrSchedule> children = children(p, baseLr);
                yield children == null ? null : build(spec, () -> new ChainedScheduler(baseLr, children));
            }
            case "InverseTimeLR" -> req(p, "k") ? build(spec, () -> new InverseTimeLR(baseLr, num(p, "k", 0))) : null;
            case "WarmupCosine" -> req(p, "warmup_steps") & req(p, "total_steps") ? build(spec, () ->
                    new WarmupCosine(baseLr, whole(p, "warmup_steps", 0), whole(p, "total_steps", 0),
                            p.bool("hold_after_total", false))) : null;
            case "WarmupMultiStep" -> req(p, "warmup_steps") & req(p, "milestones") ? build(spec, () ->
                    new WarmupMultiStep(baseLr, whole(p, "warmup_steps", 0), sorted(longs(p, "milestones")),
                            num(p, "gamma", 0.1))) : null;
            case "HoldCosine" -> req(p, "hold_steps") & req(p, "total_steps") ? build(spec, () ->
                    new HoldCosine(baseLr, whole(p, "hold_steps", 0), whole(p, "total_steps", 0),
                            num(p, "eta_min", 0))) : null;
            case "warmup" -> {
                LrSchedule inner = p.has("schedule") ? nested(p, "schedule", baseLr)
                        : new ConstantLR(baseLr, 1, 0);
                yield inner == null || !req(p, "warmup_steps") ? null : build(spec, () -> new Warmup(inner, baseLr,
                        whole(p, "warmup_steps", 0), p.choice("mode", "linear", List.of("linear", "constant")),
                        num(p, "start_factor", 0)));
            }
            case "ReduceLROnPlateau" -> {
                spec.problem("scheduler", "ReduceLROnPlateau can only be the outermost scheduler (it may wrap one)");
                yield null;
            }
            default -> throw new IllegalStateException(name);
        };
        p.reportUnknownKeys();
        return s;
    }

    private static LrSchedule cyclic(ConfigReader spec, ConfigReader p) {
        if (!(req(p, "base_lr") & req(p, "max_lr"))) {
            return null;
        }
        String mode = p.choice("mode", "triangular", List.of("triangular", "triangular2", "exp_range"));
        long up = whole(p, "step_size_up", 2000);
        return build(spec, () -> new CyclicLR(num(p, "base_lr", 0), num(p, "max_lr", 0), up,
                p.has("step_size_down") ? whole(p, "step_size_down", up) : up, mode, num(p, "gamma", 1.0),
                p.choice("scale_mode", CyclicLR.defaultScaleMode(mode), List.of("cycle", "iterations")),
                p.bool("cycle_momentum", true), num(p, "base_momentum", 0.8), num(p, "max_momentum", 0.9)));
    }

    private static LrSchedule oneCycle(ConfigReader spec, ConfigReader p) {
        if (!req(p, "max_lr")) {
            return null;
        }
        long total;
        if (p.has("total_steps")) {
            total = whole(p, "total_steps", 0);
        } else if (p.has("epochs") && p.has("steps_per_epoch")) {
            total = whole(p, "epochs", 0) * whole(p, "steps_per_epoch", 0);
        } else {
            p.problem("total_steps", "is required (or both epochs and steps_per_epoch)");
            return null;
        }
        return build(spec, () -> new OneCycleLR(num(p, "max_lr", 0), total, num(p, "pct_start", 0.3),
                p.choice("anneal_strategy", "cos", List.of("cos", "linear")), num(p, "div_factor", 25.0),
                num(p, "final_div_factor", 1e4), p.bool("three_phase", false), p.bool("cycle_momentum", true),
                num(p, "base_momentum", 0.85), num(p, "max_momentum", 0.95)));
    }

    private static List<LrSchedule> children(ConfigReader p, double baseLr) {
        if (!req(p, "schedulers")) {
            return null;
        }
        JsonNode list = p.raw("schedulers");
        if (!list.isArray() || list.isEmpty()) {
            p.problem("schedulers", "must be a non-empty list of {scheduler, params} specs");
            return null;
        }
        List<LrSchedule> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            LrSchedule child = nestedSpec(new ConfigReader(list.get(i), p.path("schedulers[" + i + "]"),
                    p.problems()), baseLr);
            ok &= child != null;
            out.add(child);
        }
        return ok ? out : null;
    }

    private static boolean req(ConfigReader p, String key) {
        return p.require(key);
    }

    private static double num(ConfigReader p, String key, double def) {
        return p.decimal(key, def, -BIG, BIG, true);
    }

    private static long whole(ConfigReader p, String key, long def) {
        return p.integer(key, def, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Milestones in order: PyTorch's MultiStepLR counts them as a set, so [40, 15] behaves as [15, 40]. */
    private static List<Long> sorted(List<Long> milestones) {
        return milestones.stream().sorted().toList();
    }

    private static List<Long> longs(ConfigReader p, String key) {
        return p.intList(key, List.of(), 0).stream().map(Integer::longValue).toList();
    }

    /** Runs a constructor, turning its argument check into a problem at the spec's params. */
    private static <T> T build(ConfigReader spec, java.util.function.Supplier<T> constructor) {
        int before = spec.problems().size();
        T value;
        try {
            value = constructor.get();
        } catch (IllegalArgumentException e) {
            spec.problem("params", e.getMessage());
            return null;
        }
        return spec.problems().size() == before ? value : null;
    }
}
