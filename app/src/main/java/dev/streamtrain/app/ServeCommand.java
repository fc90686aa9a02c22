package dev.streamtrain.app;

import dev.streamtrain.deploy.ModelFollower;
import dev.streamtrain.deploy.ModelRecords;
import dev.streamtrain.ingest.ConsumerSettings;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamtrain serve --from-topic}: serve what a training job serves, on another machine. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a training job's models on this machine: read the job's models topic",
            "(<job>.models: every version the trainer promoted or rolled back to, newest",
            "last), serve the newest, and hot-swap to each later one as it arrives. Requests",
            "in flight finish on the version they started with. Same API as the trainer's",
            "server: POST /v1/predict, GET /v1/model. Several replicas can follow one job.",
            "Runs until Ctrl-C.", ""})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from-topic", required = true, paramLabel = "TOPIC",
            description = "The job's models topic, <job>.models.")
    String topic;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]",
            description = "The Kafka cluster the training job uses.")
    String bootstrapServers;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Interface to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}; 0: any free).")
    int port;

    @Override
    public Integer call() throws Exception {
        if (!topic.endsWith(".models")) {
            spec.commandLine().getErr().println("warning: " + topic + " is not named like a models topic ("
                    + ModelRecords.topic("<job>") + ")");
        }
        var registry = Observability.registry();
        Vertx vertx = Observability.vertx(registry); // GET /metrics: the server's requests by route, the JVM's pools
        vertx.eventBus().consumer(dev.streamtrain.core.events.Addresses.PROMETHEUS_SCRAPE,
                m -> m.reply(registry.scrape()));
        ModelFollower follower = new ModelFollower(topic, ConsumerSettings.of(bootstrapServers, null,
                Map.of("allow.auto.create.topics", "false")), // a mistyped topic is an error, not a new topic
                host, port);
        try {
            vertx.deployVerticle(follower).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot follow " + topic + ": "
                    + dev.streamtrain.core.events.Failures.describe(e));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "streamtrain-serve-stop"));
        spec.commandLine().getOut().println("following " + topic + "; serving on http://" + host + ":"
                + follower.port() + "  (POST /v1/predict, GET /v1/model).  Ctrl-C to stop.");
        new CountDownLatch(1).await();
        return 0;
    }
}
