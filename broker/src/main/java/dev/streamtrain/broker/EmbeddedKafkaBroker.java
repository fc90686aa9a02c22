package dev.streamtrain.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, combined broker+controller) running inside this JVM.
 *
 * <p>Bound to 127.0.0.1 on free ports, with its log directory under a caller-chosen data directory. The storage is
 * formatted on first use and reused afterwards, so a restarted job sees its earlier topics and committed offsets.
 * Kafka's broker threads are non-daemon: {@link #close()} must run (try-with-resources or a shutdown hook), or the
 * JVM never exits.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final KafkaRaftServer server;
    private final int brokerPort;
    private final int controllerPort;
    private final Path dataDir;
    private final Map<String, String> overrides;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, int brokerPort, int controllerPort, Path dataDir,
            Map<String, String> overrides) {
        this.server = server;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
    }

    /**
     * Formats (when new) and starts a broker whose data lives in {@code dataDir}.
     *
     * @param dataDir directory for the broker's logs and metadata; created when missing
     * @param overrides extra broker settings (e.g. {@code message.max.bytes}); they win over the defaults
     */
    public static EmbeddedKafkaBroker start(Path dataDir, Map<String, String> overrides) throws IOException {
        return start(dataDir, overrides, freePort(), freePort());
    }

    /**
     * Starts a broker that was stopped ({@link #close}) again: the same data and the same ports, so its clients
     * reconnect by themselves (an outage, as tests need it).
     *
     * @throws IllegalStateException when it is still running
     */
    public EmbeddedKafkaBroker restart() throws IOException {
        synchronized (this) {
            if (!closed) {
                throw new IllegalStateException("the broker is still running: close it first");
            }
        }
        return start(dataDir, overrides, brokerPort, controllerPort);
    }

    private static EmbeddedKafkaBroker start(Path dataDir, Map<String, String> overrides, int brokerPort,
            int controllerPort) throws IOException {
        Files.createDirectories(dataDir);
        Properties props = defaults(dataDir.resolve("kafka-logs"), brokerPort, controllerPort);
        props.putAll(overrides);
        Path propsFile = dataDir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            props.store(out, "StreamTrain embedded broker (rewritten at every start)");
        }
        format(propsFile);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw e;
        }
        return new EmbeddedKafkaBroker(server, brokerPort, controllerPort, dataDir, overrides);
    }

    /** Starts a broker with default settings. */
    public static EmbeddedKafkaBroker start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** The port clients connect to. */
    public int port() {
        return brokerPort;
    }

    /** True while a TCP connection to the client port succeeds. */
    public boolean isAcceptingConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, brokerPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the broker and waits for its threads to end. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }

    private static Properties defaults(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        // A single node: every internal topic has one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // Without these each commitSync costs >= 5 ms and the first join waits 3 s.
        p.put("group.coordinator.append.linger.ms", "0");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Minibatch records are tens of KB to MBs.
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "1");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        return p;
    }

    private static void format(Path propsFile) throws IOException {
        Path logDir = propsFile.getParent().resolve("kafka-logs");
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {
                "format", "--config", propsFile.toString(),
                "--cluster-id", Uuid.randomUuid().toString(), "--ignore-formatted"}, out);
        }
        if (rc != 0) {
            throw new IOException("formatting Kafka storage in " + logDir + " failed (exit " + rc + "): "
                    + buffer.toString(StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
