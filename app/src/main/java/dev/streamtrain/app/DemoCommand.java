package dev.streamtrain.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamtrain demo}: the main job, end to end on real parts. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the main job end to end: Kafka, training, export, serving.",
            "",
            "1. Start an embedded Kafka broker (KRaft) on 127.0.0.1, unless",
            "   --bootstrap-servers names a cluster.",
            "2. Split the bundled digits data set 80/20 and stream it as safetensors",
            "   minibatch records (x float32 [rows, 64] scaled by 1/16, y int64 [rows])",
            "   into streamtrain-demo.train and streamtrain-demo.validation.",
            "3. Train a 64-128-10 MLP with DJL: SGD with momentum, OneCycleLR (momentum",
            "   cycled) under ReduceLROnPlateau on validation loss; evaluate, checkpoint and",
            "   commit offsets as it goes; metrics and alerts go to Kafka topics.",
            "4. Export to ONNX, check ONNX Runtime and DJL against a float64 pass of the",
            "   weights on the validation rows (each output within its float32 rounding",
            "   bound), then serve POST /v1/predict and",
            "   GET /v1/model until Ctrl-C.",
            "",
            "The live dashboard's URL (http://127.0.0.1:<port>/) is printed before",
            "training starts, with the token its controls need; it keeps serving",
            "after training ends, as do GET /metrics (Prometheus) and the model.",
            "",
            "The work directory is wiped at start.", ""})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--work-dir", defaultValue = "work/demo", description = "Broker data, checkpoints, models (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--passes", defaultValue = "20", description = "Times the training split is streamed, shuffled each time (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--batch-size", defaultValue = "32", description = "Rows per minibatch record (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--port", defaultValue = "8080", description = "Model server port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bootstrap-servers", defaultValue = "", description = "Use this Kafka cluster instead of the embedded broker.")
    String bootstrapServers;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split, shuffles and initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--poison", description = "Inject two bad minibatches mid-stream (features x1e30, NaN labels) to"
            + " watch the run heal itself: the guard refuses the exploding update, the monitor rolls back, ingest"
            + " dead-letters the NaN labels.")
    boolean poison;

    @Option(names = "--exit-after-export", description = "Stop after the export is verified instead of serving (for scripts and tests).")
    boolean exitAfterExport;

    @Override
    public Integer call() throws Exception {
        ConsoleProgress console = ConsoleProgress.forStdout();
        Pipeline pipeline = Demo.start(new DemoOptions(workDir, passes, batchSize, port, bootstrapServers, seed, poison),
                console, System.out);
        Serving.closeOnExit(pipeline);
        return Serving.finish(pipeline, "127.0.0.1", exitAfterExport, System.out);
    }
}
