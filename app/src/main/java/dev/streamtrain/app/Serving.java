package dev.streamtrain.app;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/** The end of a bounded run, shared by {@code demo} and {@code run}: summary, then serve until Ctrl-C or exit. */
final class Serving {
    private Serving() {
    }

    /**
     * Waits for the run's result, prints the summary and either returns (exit-after-export) or serves until the
     * JVM is asked to stop; the shutdown hook closes the pipeline and the embedded broker.
     *
     * @return the exit code: 1 when the export was not served (nothing trained included) or the run was stopped
     *     because its rollback budget was exhausted
     */
    static int finish(Pipeline pipeline, String host, boolean exitAfterExport, PrintStream out) throws Exception {
        Pipeline.Result result;
        try {
            result = pipeline.result().get();
        } catch (java.util.concurrent.ExecutionException e) {
            pipeline.close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        out.println();
        out.print(RunSummary.render(result, host, !exitAfterExport));
        if (result.training().nothingTrained()) {
            out.println("nothing was trained: " + pipeline.sources() + " held no record to train when the run reached"
                    + " their end (a misspelled topic, or nothing produced yet?); no model is served");
        }
        String stop = result.training().stopReason();
        // a final model that did not beat the version serving is a decision, not a failure: that version serves
        if (!result.deployment().modelServes() || stop.startsWith("rollback_budget_exhausted")
                || stop.startsWith("invalid_learning_rate")) {
            pipeline.close();
            return 1;
        }
        if (exitAfterExport) {
            pipeline.close();
            return 0;
        }
        out.println("serving: POST http://" + host + ":" + result.servingPort() + "/v1/predict  {\"rows\": [[...]]},"
                + "  GET /v1/model;  dashboard: " + pipeline.dashboardUrl() + "  Ctrl-C to stop.");
        new CountDownLatch(1).await();
        return 0;
    }

    /** Closes the pipeline (and the embedded broker) on Ctrl-C or any JVM exit. */
    static void closeOnExit(Pipeline pipeline) {
        Runtime.getRuntime().addShutdownHook(new Thread(pipeline::close, "streamtrain-shutdown"));
    }
}
