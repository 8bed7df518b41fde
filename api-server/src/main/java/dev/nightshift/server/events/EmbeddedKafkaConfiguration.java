package dev.nightshift.server.events;

import java.io.IOException;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Starts the embedded broker that {@link EmbeddedKafkaEnvironment} reserved, before any Kafka client starts. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(EmbeddedKafkaEnvironment.PORT)
class EmbeddedKafkaConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedKafkaServer embeddedKafkaServer(@Value("${nightshift.data-dir}") Path dataDir,
            @Value("${" + EmbeddedKafkaEnvironment.PORT + "}") int port,
            @Value("${" + EmbeddedKafkaEnvironment.CONTROLLER_PORT + "}") int controllerPort) throws IOException {
        return new EmbeddedKafkaServer(dataDir.toAbsolutePath().resolve("kafka"), port, controllerPort);
    }
}
