package dev.streamtrain.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The timer {@code streamtrain.export.verification} ({@code streamtrain_export_verification_seconds} in Prometheus):
 * from a candidate's checkpoint arriving to the verification's verdict, tagged with the job and the {@code outcome}
 * ({@code verified}, {@code failed}).
 */
final class ExportTimes {
    private final MeterRegistry registry;
    private final String job;

    ExportTimes(MeterRegistry registry, String job) {
        this.registry = registry;
        this.job = job;
    }

    /** Records one export that started at {@code startedMillis} (epoch ms) and ended now. */
    void record(long startedMillis, String outcome) {
        Timer.builder("streamtrain.export.verification").tag("job", job).tag("outcome", outcome)
                .description("Exporting a candidate to ONNX and verifying it, until the verdict")
                .publishPercentileHistogram().register(registry)
                .record(System.currentTimeMillis() - startedMillis, TimeUnit.MILLISECONDS);
    }
}
