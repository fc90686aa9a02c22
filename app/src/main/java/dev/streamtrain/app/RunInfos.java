package dev.streamtrain.app;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.dashboard.RunInfo;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The dashboard's run summary of a job, in PyTorch's names. */
final class RunInfos {
    private RunInfos() {
    }

    /**
     * @param expectedUpdates updates a bounded run will make, if known, else 0
     */
    static RunInfo of(JobConfig cfg, long expectedUpdates) {
        var m = cfg.model();
        String layers = Stream.concat(Stream.concat(Stream.of(m.inputs()), m.hidden().stream()), Stream.of(m.classes()))
                .map(String::valueOf).collect(Collectors.joining("-"));
        String model = "MLP " + layers + ", " + m.activation() + ", " + m.head() + " head"
                + (m.batchNorm() ? ", batch norm" : "") + (m.dropout() > 0 ? ", dropout " + m.dropout() : "")
                + (m.residual() ? ", residual" : "");
        var o = cfg.optimizer();
        String optimizer = o.name() + " lr=" + o.lr() + (o.name().equals("SGD") && o.momentum() > 0
                ? " momentum=" + o.momentum() + (o.nesterov() ? " nesterov" : "") : "")
                + (o.weightDecay() > 0 ? " weight_decay=" + o.weightDecay() : "");
        var policy = cfg.schedule();
        String schedule = policy.schedule().getClass().getSimpleName()
                + (policy.plateau() == null ? "" : " + ReduceLROnPlateau");
        return new RunInfo(cfg.job(), model, optimizer, schedule, Math.max(0, expectedUpdates),
                System.currentTimeMillis());
    }
}
