package dev.nightshift.worker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's few calls to Vault's HTTP API: unwrap its token (once), read its paths, revoke
 * itself. Tokens are sent in {@code X-Vault-Token} and never printed.
 */
final class VaultClient {

    /** The wrapping token was already used or expired: someone else may hold this attempt's token. */
    static final class InterceptedException extends Exception {
        InterceptedException(String message) {
            super(message);
        }
    }

    /** The unwrapped token; printed as its accessor only. */
    record Session(String token, String accessor, long leaseSeconds) {
        @Override
        public String toString() {
            return "Session[accessor=" + accessor + "]";
        }
    }

    /**
     * One path's answer.
     *
     * @param outcome {@code read}, {@code denied} (403), {@code missing} (404) or {@code failed}
     * @param values the secret's fields, empty unless read
     */
    record Read(String outcome, Map<String, String> values, String leaseId, long millis, String error) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http;
    private final URI address;
    private final Duration timeout;

    VaultClient(URI address, Duration timeout) {
        this.address = address;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    Session unwrap(String wrappingToken) throws InterceptedException, IOException, InterruptedException {
        HttpResponse<String> response = send(wrappingToken, "POST", "sys/wrapping/unwrap");
        if (response.statusCode() == 200) {
            JsonNode auth = JSON.readTree(response.body()).path("auth");
            if (!auth.path("client_token").isString()) {
                throw new IOException("the unwrapped response holds no token");
            }
            return new Session(auth.path("client_token").asString(), auth.path("accessor").asString(""),
                    auth.path("lease_duration").asLong(0));
        }
        String errors = errors(response.body());
        if (response.statusCode() == 400 && errors.contains("wrapping token is not valid or does not exist")) {
            throw new InterceptedException("Vault: " + errors);
        }
        throw new IOException("unwrap answered HTTP " + response.statusCode() + ": " + errors);
    }

    Read read(Session session, String path) throws InterruptedException {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = send(session.token(), "GET", path);
            long millis = (System.nanoTime() - start) / 1_000_000;
            return switch (response.statusCode()) {
                case 200 -> {
                    JsonNode body = JSON.readTree(response.body());
                    JsonNode data = body.path("data");
                    // KV version 2 nests the secret under data.data, next to its metadata.
                    if (data.path("data").isObject() && data.path("metadata").isObject()) {
                        data = data.path("data");
                    }
                    Map<String, String> values = new LinkedHashMap<>();
                    data.properties().forEach(e -> values.put(e.getKey(), e.getValue().isString()
                            ? e.getValue().asString() : e.getValue().toString()));
                    String lease = body.path("lease_id").asString("");
                    yield new Read("read", values, lease.isEmpty() ? null : lease, millis, null);
                }
                case 403 -> new Read("denied", Map.of(), null, millis, errors(response.body()));
                case 404 -> new Read("missing", Map.of(), null, millis, null);
                default -> new Read("failed", Map.of(), null, millis, "HTTP " + response.statusCode() + ": "
                        + errors(response.body()));
            };
        } catch (IOException e) {
            return new Read("failed", Map.of(), null, (System.nanoTime() - start) / 1_000_000, e.getMessage());
        }
    }

    /** Revokes the session's token and every lease created with it. */
    void revokeSelf(Session session) throws IOException, InterruptedException {
        HttpResponse<String> response = send(session.token(), "POST", "auth/token/revoke-self");
        if (response.statusCode() != 204 && response.statusCode() != 200) {
            throw new IOException("revoke-self answered HTTP " + response.statusCode() + ": " + errors(response.body()));
        }
    }

    private HttpResponse<String> send(String token, String method, String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(address.resolve("/v1/" + path)).timeout(timeout)
                .header("X-Vault-Token", token).header("X-Vault-Request", "true");
        request.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(""));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String errors(String body) {
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            if (errors.isArray()) {
                return String.join("; ", errors.valueStream().map(JsonNode::asString).toList());
            }
        } catch (RuntimeException notJson) {
            // below
        }
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) : body;
    }
}
