package dev.streamtrain.app;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.config.JobConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamtrain run --config job.yaml}: the pipeline from a job file. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the pipeline described by a job file (YAML or JSON).",
            "",
            "The job file names the topics, record format, model, optimizer, schedule,",
            "evaluation cadence, checkpoint directory and HTTP port (see README.md).",
            "It is validated first; every problem is listed with its key.",
            "With ingest.stop-at-end: true the run trains on what the topics hold,",
            "then exports, verifies and serves; otherwise it trains continuously",
            "until Ctrl-C. Without kafka.bootstrap-servers an embedded broker is",
            "started, with its data under <work-dir>/kafka.",
            "With schedule.auto-range: true a range test (see lr-find) runs first and",
            "fills the schedule's CyclicLR / OneCycleLR bounds.", ""})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "The job file.")
    Path config;

    @Option(names = "--exit-after-export", description = "Stop after the export is verified instead of serving.")
    boolean exitAfterExport;

    @Option(names = "--check", description = "Only validate the job file and print the resolved settings.")
    boolean checkOnly;

    @Override
    public Integer call() throws Exception {
        if (checkOnly) { // YAML that loads back as the same job (the control token left out)
            var resolved = JobConfigLoader.resolved(config);
            System.out.println("# " + config + " is valid; every setting, defaults filled in (secrets show as "
                    + dev.streamtrain.core.config.ResolvedSettings.REDACTED + "):\n"
                    + ResolvedConfig.yaml(resolved.settings()));
            return 0;
        }
        JobConfig cfg = JobConfigLoader.load(config);
        KafkaCluster cluster = KafkaCluster.forJob(cfg);
        System.out.println((cluster.embeddedBroker() != null ? "embedded Kafka broker at " : "using Kafka at ")
                + cluster.bootstrapServers());
        Pipeline pipeline;
        try {
            ConsoleProgress console = ConsoleProgress.forStdout();
            AutoRange.Outcome range = cfg.autoRange()
                    ? AutoRange.resolve(config, cfg, cluster.bootstrapServers(), console) : null;
            cfg = range == null ? cfg : range.config();
            pipeline = Pipeline.start(cfg, cluster, console, cfg.training().maxUpdates());
            if (range != null) {
                pipeline.publish(dev.streamtrain.core.events.Addresses.LR_RANGE_FOUND, range.event());
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        Serving.closeOnExit(pipeline);
        if (!cfg.ingest().stopAtEnd() && cfg.training().maxUpdates() == 0) {
            // runs until Ctrl-C, or until the monitor stops it (early stopping, exhausted rollback budget)
            System.out.println("training continuously from " + cfg.ingest().describeSources() + "; Ctrl-C to stop.");
        }
        return Serving.finish(pipeline, cfg.serving().host(), exitAfterExport, System.out);
    }
}
