package dev.streamtrain.core.config;

import java.util.List;

/**
 * The optimizer, with PyTorch's class name, argument names and per-class defaults
 * ({@code optimizer: {name: Adam, params: {lr: 0.001, betas: [0.9, 0.999]}}}). Arguments a class does not have keep
 * neutral values and are rejected in the job file as unknown keys.
 *
 * @param name SGD, Adagrad, RMSprop, Adadelta, Adam or AdamW
 * @param lr base learning rate (the rate schedules scale)
 * @param momentum SGD/RMSprop momentum, or Adam/AdamW beta1 (the value schedules cycle)
 * @param dampening SGD dampening
 * @param nesterov SGD Nesterov momentum
 * @param weightDecay L2 penalty in the gradient; decoupled decay for AdamW
 * @param beta2 Adam/AdamW second-moment decay
 * @param eps term added for numerical stability
 * @param amsgrad Adam/AdamW AMSGrad variant
 * @param alpha RMSprop smoothing constant
 * @param centered RMSprop centered variant
 * @param rho Adadelta decay
 * @param lrDecay Adagrad learning-rate decay
 * @param initialAccumulatorValue Adagrad initial sum of squares
 */
public record OptimizerSettings(String name, double lr, double momentum, double dampening, boolean nesterov,
        double weightDecay, double beta2, double eps, boolean amsgrad, double alpha, boolean centered, double rho,
        double lrDecay, double initialAccumulatorValue) {
    /** Optimizers available, PyTorch names. */
    public static final List<String> NAMES = List.of("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW");

    /** PyTorch's SGD with these arguments (the rest neutral). */
    public static OptimizerSettings sgd(double lr, double momentum, double dampening, boolean nesterov,
            double weightDecay) {
        return new OptimizerSettings("SGD", lr, momentum, dampening, nesterov, weightDecay, 0, 0, false, 0, false, 0,
                0, 0);
    }

    /**
     * Reads {@code name} and {@code params} from an optimizer section, with PyTorch's defaults for the named class;
     * problems go to the reader (unknown keys included).
     */
    public static OptimizerSettings read(ConfigReader section) {
        String name = section.choice("name", "SGD", NAMES);
        ConfigReader p = new ConfigReader(section.raw("params"), section.path("params"), section.problems());
        double big = 1e6;
        OptimizerSettings s = switch (name) {
            case "SGD" -> sgd(p.decimal("lr", 0.05, 0, big, false), p.decimal("momentum", 0, 0, 1, true),
                    p.decimal("dampening", 0, 0, 1, true), p.bool("nesterov", false),
                    p.decimal("weight_decay", 0, 0, big, true));
            case "Adagrad" -> new OptimizerSettings(name, p.decimal("lr", 0.01, 0, big, false), 0, 0, false,
                    p.decimal("weight_decay", 0, 0, big, true), 0, p.decimal("eps", 1e-10, 0, 1, true), false, 0,
                    false, 0, p.decimal("lr_decay", 0, 0, big, true),
                    p.decimal("initial_accumulator_value", 0, 0, big, true));
            case "RMSprop" -> new OptimizerSettings(name, p.decimal("lr", 0.01, 0, big, false),
                    p.decimal("momentum", 0, 0, 1, true), 0, false, p.decimal("weight_decay", 0, 0, big, true), 0,
                    p.decimal("eps", 1e-8, 0, 1, true), false, p.decimal("alpha", 0.99, 0, 1, true),
                    p.bool("centered", false), 0, 0, 0);
            case "Adadelta" -> new OptimizerSettings(name, p.decimal("lr", 1.0, 0, big, false), 0, 0, false,
                    p.decimal("weight_decay", 0, 0, big, true), 0, p.decimal("eps", 1e-6, 0, 1, true), false, 0, false,
                    p.decimal("rho", 0.9, 0, 1, true), 0, 0);
            default -> {
                double[] betas = betas(p);
                yield new OptimizerSettings(name, p.decimal("lr", 1e-3, 0, big, false), betas[0], 0, false,
                        p.decimal("weight_decay", name.equals("AdamW") ? 1e-2 : 0, 0, big, true), betas[1],
                        p.decimal("eps", 1e-8, 0, 1, true), p.bool("amsgrad", false), 0, false, 0, 0, 0);
            }
        };
        if (s.nesterov() && (s.momentum() <= 0 || s.dampening() != 0)) {
            p.problem("nesterov", "requires momentum > 0 and dampening = 0 (as in PyTorch)");
        }
        p.reportUnknownKeys();
        return s;
    }

    private static double[] betas(ConfigReader p) {
        var node = p.raw("betas");
        if (node == null) {
            return new double[] {0.9, 0.999};
        }
        if (!node.isArray() || node.size() != 2 || !node.get(0).isNumber() || !node.get(1).isNumber()
                || !(node.get(0).asDouble() >= 0 && node.get(0).asDouble() < 1)
                || !(node.get(1).asDouble() >= 0 && node.get(1).asDouble() < 1)) {
            p.problem("betas", "must be two numbers in [0, 1), e.g. [0.9, 0.999], got " + node);
            return new double[] {0.9, 0.999};
        }
        return new double[] {node.get(0).asDouble(), node.get(1).asDouble()};
    }
}
