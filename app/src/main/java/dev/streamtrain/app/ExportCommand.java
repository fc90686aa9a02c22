package dev.streamtrain.app;

import dev.streamtrain.deploy.OfflineExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamtrain export}: a checkpoint to ONNX, offline, verified as served models are. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export one checkpoint to an ONNX file, offline, the way a served model is",
            "exported: ONNX metadata properties (streamtrain.job, .version, .update, .samples,",
            ".checkpoint_id, .offsets, .validation), then ONNX Runtime checked against a",
            "double-precision reference pass of the same weights on 256 seeded rows, within the",
            "bound that float32 rounding explains (see README, \"Serving while training\").",
            "Nothing is written when the check fails (exit 1).", ""})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "A checkpoint directory (<work-dir>/checkpoints/ckpt-NNNNNNNNNNNN).")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The ONNX file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(checkpoint)) {
            throw new IllegalArgumentException("no checkpoint directory at " + checkpoint);
        }
        OfflineExport.Result r = OfflineExport.export(checkpoint, out);
        var print = r.written() ? spec.commandLine().getOut() : spec.commandLine().getErr();
        print.printf("%s: %s (update %d), ONNX Runtime vs float64 reference on %d rows: max |diff| %.3g, bound %.3g%n",
                r.written() ? "exported" : "NOT exported", r.written() ? out : checkpoint, r.updates(), r.rows(),
                r.parityMaxAbsDiff(), r.parityBound());
        return r.written() ? 0 : 1;
    }
}
