package dev.streamtrain.app;

import dev.streamtrain.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code streamtrain} command line. */
@Command(name = "streamtrain", mixinStandardHelpOptions = true, version = "StreamTrain 0.1.0",
        description = {"Continuous training of neural networks from Apache Kafka on the JVM.",
            "Ingests minibatches from Kafka, trains with DJL (PyTorch engine), watches",
            "the metrics, exports to ONNX, verifies it against the trainer and serves it",
            "with ONNX Runtime.", ""},
        subcommands = {DemoCommand.class, RunCommand.class, ProduceCommand.class, ScheduleCommand.class, LrFindCommand.class,
            BenchCommand.class,
            InspectCommand.class, ServeCommand.class, ExportCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Start with:  streamtrain demo",
            "             (embedded Kafka, digits data, training, export, serving)",
            "Your data:   streamtrain produce --help, then",
            "             streamtrain run --config job.yaml",
            "A schedule:  streamtrain schedule --spec spec.yaml --steps 1000 --format png",
            "Scale out:   streamtrain serve --from-topic <job>.models --bootstrap-servers ...",
            "Exit codes: 0 ok, 1 failure, 2 bad arguments or job config."})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs a command line with the given output streams (tests capture them) and returns its exit code. */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println(e.getMessage());
                return 2;
            }
            cmd.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("streamtrain.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
