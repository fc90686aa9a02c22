package dev.streamtrain.trainer.optim;

import dev.streamtrain.core.config.OptimizerSettings;
import java.util.function.Function;

/** Builds the optimizer a job's {@link OptimizerSettings} name. */
public final class Optimizers {
    private Optimizers() {
    }

    /**
     * @param hyper where the schedule sets lr and momentum/beta1 per update
     * @param nameOf DJL parameter id to stable parameter name
     */
    public static TorchOptimizer create(OptimizerSettings s, StepHyperParameters hyper,
            Function<String, String> nameOf) {
        return switch (s.name()) {
            case "SGD" -> new TorchSgd(s.dampening(), s.nesterov(), s.weightDecay(), hyper, nameOf);
            case "Adagrad" -> new TorchAdagrad(s.lrDecay(), s.weightDecay(), s.initialAccumulatorValue(), s.eps(),
                    hyper, nameOf);
            case "RMSprop" -> new TorchRmsprop(s.alpha(), s.eps(), s.weightDecay(), s.centered(), hyper, nameOf);
            case "Adadelta" -> new TorchAdadelta(s.rho(), s.eps(), s.weightDecay(), hyper, nameOf);
            case "Adam" -> new TorchAdam(s.beta2(), s.eps(), s.weightDecay(), s.amsgrad(), false, hyper, nameOf);
            case "AdamW" -> new TorchAdam(s.beta2(), s.eps(), s.weightDecay(), s.amsgrad(), true, hyper, nameOf);
            default -> throw new IllegalArgumentException("unknown optimizer " + s.name() + "; one of "
                    + OptimizerSettings.NAMES);
        };
    }
}
