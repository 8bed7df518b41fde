package dev.nightshift.worker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The worker's calls to the api-server, with its bootstrap token. */
final class ServerClient {

    /** The server refused this worker for good: a terminal configuration error (exit 2). */
    static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final WorkerConfig config;
    private final String token;

    ServerClient(WorkerConfig config, String token) {
        this.config = config;
        this.token = token;
    }

    /**
     * Registers this attempt, retrying while the server is unreachable or answers 5xx, until {@code giveUp}.
     *
     * @throws RefusedException when the server answers 4xx: a bad token, an ended investigation
     * @throws IOException when it never answered in time
     */
    Registration register(Instant giveUp) throws RefusedException, IOException, InterruptedException {
        URI uri = config.apiUrl().resolve("/api/v1/investigations/" + config.investigationId() + "/attempts");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        Duration pause = Duration.ofMillis(500);
        while (true) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 201) {
                    return Registration.parse(JSON.readTree(response.body()));
                }
                if (response.statusCode() >= 400 && response.statusCode() < 500) {
                    throw new RefusedException("the api-server refused the registration: HTTP " + response.statusCode()
                            + " " + JSON.readTree(response.body()).path("detail").asString(""));
                }
                if (Instant.now().plus(pause).isAfter(giveUp)) {
                    throw new IOException("the api-server answered HTTP " + response.statusCode());
                }
            } catch (IOException e) {
                if (Instant.now().plus(pause).isAfter(giveUp)) {
                    throw e;
                }
            }
            Thread.sleep(pause);
            pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : pause.multipliedBy(2);
        }
    }

    /**
     * Proposes an action to the gateway; the answer is the recorded action with the policy's decision.
     *
     * @throws IOException when the server did not record it
     */
    JsonNode propose(Map<String, Object> action) throws IOException, InterruptedException {
        URI uri = config.apiUrl().resolve("/api/v1/investigations/" + config.investigationId() + "/actions");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(action))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Reports what was done with the Vault token (paths read, or an interception); a failure is only logged. */
    void reportCredentials(int attempt, String kind, List<Map<String, Object>> reads, String detail)
            throws InterruptedException {
        URI uri = config.apiUrl().resolve("/api/v1/investigations/" + config.investigationId() + "/credential-reports");
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("attempt", attempt);
        body.put("kind", kind);
        body.put("reads", reads);
        body.put("detail", detail == null ? null : detail.length() > 1000 ? detail.substring(0, 1000) : detail);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 204) {
                WorkerLog.error("credential report " + kind + " answered HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            WorkerLog.error("credential report " + kind + " failed: " + e.getMessage());
        }
    }

    /** The investigation's events after a position (alerts attached while it runs, decisions). */
    JsonNode eventsAfter(long position) throws IOException, InterruptedException {
        URI uri = config.apiUrl().resolve("/api/v1/investigations/" + config.investigationId() + "/events?after="
                + position + "&limit=1000");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("events: HTTP " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }
}
