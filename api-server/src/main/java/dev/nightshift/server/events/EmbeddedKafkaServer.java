package dev.nightshift.server.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one) run in-process with Kafka's own server
 * classes, listening on 127.0.0.1 only, with its log under {@code <data-dir>/kafka} so that events
 * survive a restart. Formatted once, on first start.
 */
public final class EmbeddedKafkaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaServer.class);

    private final KafkaRaftServer server;
    private final int port;

    public EmbeddedKafkaServer(Path directory, int port, int controllerPort) throws IOException {
        this.port = port;
        Path logDir = Files.createDirectories(directory.resolve("log"));
        Properties properties = new Properties();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", "1");
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("log.dirs", logDir.toString());
        properties.put("num.partitions", "3");
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "3");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        properties.put("log.retention.hours", "168");
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(directory, properties);
        }
        long started = System.nanoTime();
        this.server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        server.startup();
        log.info("Embedded Kafka broker on 127.0.0.1:{} (data in {}) started in {} ms", port, logDir,
                (System.nanoTime() - started) / 1_000_000);
    }

    private static void format(Path directory, Properties properties) throws IOException {
        Path config = directory.resolve("server.properties");
        try (var out = Files.newOutputStream(config)) {
            properties.store(out, "Nightshift embedded Kafka; rewritten at each start");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                new PrintStream(output, true, StandardCharsets.UTF_8));
        if (exit != 0) {
            throw new IllegalStateException("Formatting the embedded Kafka storage failed: "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
