package dev.nightshift.worker;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * What a worker learns from its environment: which investigation it serves and where the
 * api-server is. Everything else it will fetch from the api-server over an authenticated call.
 *
 * @param investigationId {@code INVESTIGATION_ID}, required
 * @param apiUrl {@code NIGHTSHIFT_API_URL}, default {@code http://localhost:8080}
 */
public record WorkerConfig(UUID investigationId, URI apiUrl) {

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
        return new WorkerConfig(investigationId, apiUrl);
    }
}
