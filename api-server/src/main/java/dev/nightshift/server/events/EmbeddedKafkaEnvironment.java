package dev.nightshift.server.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * The embedded default for events: with no {@code spring.kafka.bootstrap-servers}, the server runs
 * a Kafka broker of its own ({@link EmbeddedKafkaServer}). This reserves its ports and points the
 * Kafka settings at it before anything reads them. {@code nightshift.events.embedded-kafka.enabled=false}
 * turns it off (the server then ingests no worker events).
 */
public class EmbeddedKafkaEnvironment implements EnvironmentPostProcessor {

    static final String ENABLED = "nightshift.events.embedded-kafka.enabled";
    static final String PORT = "nightshift.events.embedded-kafka.port";
    static final String CONTROLLER_PORT = "nightshift.events.embedded-kafka.controller-port";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (StringUtils.hasText(environment.getProperty("spring.kafka.bootstrap-servers"))
                || !environment.getProperty(ENABLED, Boolean.class, true)) {
            return;
        }
        int port = environment.getProperty(PORT, Integer.class, freePort());
        int controllerPort = environment.getProperty(CONTROLLER_PORT, Integer.class, freePort());
        environment.getPropertySources().addFirst(new MapPropertySource("nightshift-embedded-kafka", Map.of(
                "spring.kafka.bootstrap-servers", "127.0.0.1:" + port,
                PORT, port,
                CONTROLLER_PORT, controllerPort)));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port for the embedded Kafka broker", e);
        }
    }
}
