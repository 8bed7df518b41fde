package dev.nightshift.worker;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * What a worker learns from its environment: which investigation it serves, where the api-server
 * is, where its bootstrap token lies and where Kafka is. Everything else it fetches from the
 * api-server over its authenticated registration.
 *
 * @param investigationId {@code INVESTIGATION_ID}, required
 * @param apiUrl {@code NIGHTSHIFT_API_URL}, default {@code http://localhost:8080}
 * @param tokenFile {@code NIGHTSHIFT_TOKEN_FILE}, required: the file holding the bootstrap token
 * @param kafkaBootstrapServers {@code KAFKA_BOOTSTRAP_SERVERS}; without it no events are published
 */
public record WorkerConfig(UUID investigationId, URI apiUrl, Path tokenFile, String kafkaBootstrapServers) {

    static final String DEFAULT_API_URL = "http://localhost:8080";

    /** @throws IllegalArgumentException naming the variable that is missing or malformed */
    public static WorkerConfig from(Map<String, String> environment) {
        String id = environment.get("INVESTIGATION_ID");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("INVESTIGATION_ID is not set");
        }
        UUID investigationId;
        try {
            investigationId = UUID.fromString(id.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("INVESTIGATION_ID is not a UUID: '" + id + "'");
        }
        String url = environment.getOrDefault("NIGHTSHIFT_API_URL", DEFAULT_API_URL);
        URI apiUrl;
        try {
            apiUrl = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("NIGHTSHIFT_API_URL is not a URL: '" + url + "'");
        }
        if (!"http".equals(apiUrl.getScheme()) && !"https".equals(apiUrl.getScheme())) {
            throw new IllegalArgumentException("NIGHTSHIFT_API_URL must be http or https: '" + url + "'");
        }
        String tokenFile = environment.get("NIGHTSHIFT_TOKEN_FILE");
        if (tokenFile == null || tokenFile.isBlank()) {
            throw new IllegalArgumentException("NIGHTSHIFT_TOKEN_FILE is not set");
        }
        return new WorkerConfig(investigationId, apiUrl, Path.of(tokenFile), environment.get("KAFKA_BOOTSTRAP_SERVERS"));
    }
}
