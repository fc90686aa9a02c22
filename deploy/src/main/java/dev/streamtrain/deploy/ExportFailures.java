package dev.streamtrain.deploy;

/**
 * Why an export, a verification or a rollback failed, in the product's words: the messages deploy writes itself
 * pass through; a library's exception (ONNX Runtime, the file system, an unanswered request) is named by what was
 * being done, its own text left to the log.
 */
final class ExportFailures {
    private ExportFailures() {
    }

    static String describe(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e;
        if (cause instanceof CandidateExport.NotACandidate || cause instanceof ServingRollback.NothingEarlier
                || cause instanceof IllegalStateException
                // Future.failedFuture(text): deploy's words too
                || cause.getClass().getName().startsWith("io.vertx.core.impl.NoStackTrace")) {
            return cause.getMessage() == null ? "failed" : cause.getMessage(); // deploy's own words
        }
        if (cause instanceof io.vertx.core.eventbus.ReplyException) {
            return "the trainer did not answer the verification request (it may have stopped)";
        }
        if (cause instanceof ai.onnxruntime.OrtException) {
            return "ONNX Runtime could not load or run the exported model (see the log)";
        }
        if (cause instanceof java.io.IOException || cause instanceof java.io.UncheckedIOException) {
            return "reading the checkpoint or writing the version failed (see the log)";
        }
        return "the export failed unexpectedly (see the log)";
    }
}
