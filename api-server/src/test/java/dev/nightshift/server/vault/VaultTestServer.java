package dev.nightshift.server.vault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Vault HTTP API test server for the calls Nightshift makes, faithful to Vault's protocol: paths
 * under {@code /v1/}, {@code X-Vault-Token}, ACL policies with path globs and capabilities, token
 * roles, response wrapping ({@code X-Vault-Wrap-TTL}, {@code wrap_info}, single-use unwrap), KV
 * version 2 reads, dynamic secrets with leases, token TTLs, revocation of a token with its leases,
 * a sealed state, and Vault's own response and error shapes. No Vault binary can run here.
 */
final class VaultTestServer implements AutoCloseable {

    /** A token as Vault keeps it. */
    static final class Token {
        final String id;
        final String accessor;
        final List<String> policies;
        final Map<String, String> metadata;
        final Instant created;
        final Duration ttl;
        final Duration explicitMaxTtl;
        final String role;
        final String displayName;
        volatile boolean revoked;

        Token(String id, String accessor, List<String> policies, Map<String, String> metadata, Duration ttl,
                Duration explicitMaxTtl, String role, String displayName) {
            this.id = id;
            this.accessor = accessor;
            this.policies = policies;
            this.metadata = metadata;
            this.created = Instant.now();
            this.ttl = ttl;
            this.explicitMaxTtl = explicitMaxTtl;
            this.role = role;
            this.displayName = displayName;
        }

        boolean valid() {
            return !revoked && (ttl.isZero() || Instant.now().isBefore(created.plus(ttl)));
        }
    }

    /** A wrapped response waiting for its single unwrap. */
    record Wrapped(String token, String accessor, String response, Instant expires, String creationPath,
            Instant created) {}

    /** A lease of a dynamic secret, bound to the token that created it. */
    static final class Lease {
        final String id;
        final String tokenAccessor;
        volatile boolean revoked;

        Lease(String id, String tokenAccessor) {
            this.id = id;
            this.tokenAccessor = tokenAccessor;
        }
    }

    /** A token role: the policies its tokens may carry, and whether they are orphans. */
    record Role(List<String> allowedPolicies, boolean orphan) {}

    /** One rule of an ACL policy: a path (with {@code *} at the end, {@code +} for one segment) and capabilities. */
    record Rule(String path, Set<String> capabilities) {}

    private static final ObjectMapper JSON = new JsonMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Wrapped> wrapped = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final Map<String, List<Rule>> policies = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> kv = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> dynamic = new ConcurrentHashMap<>();
    private final List<Lease> leases = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private volatile boolean sealed;
    private volatile boolean stealNextWrap;
    private final String kvMount;

    VaultTestServer(String kvMount) {
        this.kvMount = kvMount;
        policies.put("default", List.of(new Rule("auth/token/lookup-self", Set.of("read")),
                new Rule("auth/token/renew-self", Set.of("update")), new Rule("auth/token/revoke-self", Set.of("update")),
                new Rule("sys/wrapping/unwrap", Set.of("update")), new Rule("sys/wrapping/lookup", Set.of("update"))));
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    // --- configuration, as an operator would do it with the vault CLI ---

    /** A token with these policies (root with {@code root}), as {@code vault token create} would make. */
    String token(String... policyNames) {
        Token token = newToken(List.of(policyNames), Map.of(), Duration.ZERO, Duration.ZERO, null, "token");
        return token.id;
    }

    void policy(String name, Rule... rules) {
        policies.put(name, List.of(rules));
    }

    void role(String name, Role role) {
        roles.put(name, role);
    }

    void kv(String path, Map<String, Object> data) {
        kv.put(path, data);
    }

    void dynamicSecret(String path, Map<String, String> template) {
        dynamic.put(path, template);
    }

    void seal(boolean seal) {
        sealed = seal;
    }

    /** The next wrapped response is unwrapped at once by someone else: an interception. */
    void interceptNextWrap() {
        stealNextWrap = true;
    }

    // --- inspection ---

    Token byAccessor(String accessor) {
        return tokens.values().stream().filter(t -> t.accessor.equals(accessor)).findFirst().orElse(null);
    }

    List<Token> tokensOfRole(String role) {
        return tokens.values().stream().filter(t -> role.equals(t.role)).toList();
    }

    List<Lease> leases() {
        return List.copyOf(leases);
    }

    /** Every request: {@code METHOD path accessor-of-token}. */
    List<String> log() {
        return List.copyOf(log);
    }

    // --- the API ---

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath().substring("/v1/".length());
            byte[] raw = exchange.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            String tokenId = exchange.getRequestHeaders().getFirst("X-Vault-Token");
            Token token = tokenId == null ? null : tokens.get(tokenId);
            log.add(method + " " + path + " " + (token == null ? "-" : token.accessor));
            if (path.equals("sys/health")) {
                health(exchange);
                return;
            }
            if (sealed) {
                error(exchange, 503, "Vault is sealed");
                return;
            }
            if (path.equals("sys/wrapping/unwrap")) {
                unwrap(exchange, tokenId, body);
                return;
            }
            if (token == null || !token.valid()) {
                error(exchange, 403, "permission denied");
                return;
            }
            String capability = switch (method) {
                case "GET" -> exchange.getRequestURI().getQuery() != null
                        && exchange.getRequestURI().getQuery().contains("list=true") ? "list" : "read";
                case "DELETE" -> "delete";
                case "LIST" -> "list";
                default -> "update";
            };
            if (!allowed(token, path, capability)
                    && !(capability.equals("update") && allowed(token, path, "create"))) {
                error(exchange, 403, "1 error occurred:\n\t* permission denied\n\n");
                return;
            }
            String wrapTtl = exchange.getRequestHeaders().getFirst("X-Vault-Wrap-TTL");
            if (path.startsWith("auth/token/create/")) {
                create(exchange, token, path.substring("auth/token/create/".length()), body, wrapTtl);
            } else if (path.equals("auth/token/revoke-accessor")) {
                Token target = byAccessor(body.path("accessor").asString(""));
                if (target == null || target.revoked) {
                    error(exchange, 400, "invalid accessor");
                    return;
                }
                revoke(target);
                send(exchange, 204, null);
            } else if (path.equals("auth/token/revoke-self")) {
                revoke(token);
                send(exchange, 204, null);
            } else if (path.equals("auth/token/lookup-self")) {
                send(exchange, 200, envelope(lookup(token), null, null));
            } else if (path.equals("sys/wrapping/lookup")) {
                Wrapped w = wrapped.get(body.path("token").asString(""));
                if (w == null || Instant.now().isAfter(w.expires())) {
                    error(exchange, 400, "wrapping token is not valid or does not exist");
                    return;
                }
                send(exchange, 200, envelope(Map.of("creation_path", w.creationPath(), "creation_time",
                        w.created().toString(), "creation_ttl", Duration.between(w.created(), w.expires()).toSeconds()),
                        null, null));
            } else if (path.startsWith("sys/internal/ui/mounts/")) {
                send(exchange, 200, envelope(mount(), null, null));
            } else if (path.startsWith(kvMount + "/data/") && capability.equals("read")) {
                Map<String, Object> data = kv.get(path.substring((kvMount + "/data/").length()));
                if (data == null) {
                    send(exchange, 404, "{\"errors\":[]}");
                    return;
                }
                send(exchange, 200, envelope(Map.of("data", data, "metadata", Map.of("created_time",
                        "2026-11-30T10:00:00.000000000Z", "custom_metadata", Map.of(), "deletion_time", "",
                        "destroyed", false, "version", 1)), null, null));
            } else if (dynamic.containsKey(path) && capability.equals("read")) {
                Lease lease = new Lease(path + "/" + random(12), token.accessor);
                leases.add(lease);
                Map<String, String> creds = new LinkedHashMap<>();
                dynamic.get(path).forEach((k, v) -> creds.put(k, v + "-" + random(6)));
                Map<String, Object> response = envelope(creds, null, null);
                response.put("lease_id", lease.id);
                response.put("renewable", true);
                response.put("lease_duration", 3600);
                send(exchange, 200, response);
            } else {
                error(exchange, 404, "no handler for route \"" + path + "\". route entry not found.");
            }
        } catch (RuntimeException e) {
            error(exchange, 500, "1 error occurred:\n\t* " + e + "\n\n");
        }
    }

    private void create(HttpExchange exchange, Token creator, String roleName, JsonNode body, String wrapTtl)
            throws IOException {
        Role role = roles.get(roleName);
        if (role == null) {
            error(exchange, 400, "unknown role " + roleName);
            return;
        }
        List<String> requested = body.path("policies").valueStream().map(JsonNode::asString).toList();
        if (!role.allowedPolicies().containsAll(requested)) {
            error(exchange, 400, "token policies (" + requested + ") must be subset of the role's allowed policies ("
                    + role.allowedPolicies() + ")");
            return;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        body.path("meta").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asString()));
        List<String> policyList = new ArrayList<>(List.of("default"));
        policyList.addAll(requested);
        Duration ttl = duration(body.path("ttl").asString("0s"));
        Duration max = duration(body.path("explicit_max_ttl").asString("0s"));
        if (!max.isZero() && ttl.compareTo(max) > 0) {
            ttl = max;
        }
        Token token = newToken(List.copyOf(policyList), metadata, ttl, max, roleName,
                "token-" + body.path("display_name").asString(""));
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("client_token", token.id);
        auth.put("accessor", token.accessor);
        auth.put("policies", token.policies);
        auth.put("token_policies", token.policies);
        auth.put("metadata", metadata);
        auth.put("lease_duration", ttl.toSeconds());
        auth.put("renewable", body.path("renewable").asBoolean(true));
        auth.put("entity_id", "");
        auth.put("token_type", "service");
        auth.put("orphan", role.orphan());
        auth.put("mfa_requirement", null);
        auth.put("num_uses", 0);
        Map<String, Object> response = envelope(null, null, auth);
        if (wrapTtl == null) {
            send(exchange, 200, response);
            return;
        }
        Duration wrap = duration(wrapTtl);
        String wrapToken = "hvs.CAES" + random(40);
        String wrapAccessor = random(12);
        Instant now = Instant.now();
        wrapped.put(wrapToken, new Wrapped(wrapToken, wrapAccessor, JSON.writeValueAsString(response), now.plus(wrap),
                "auth/token/create/" + roleName, now));
        if (stealNextWrap) {
            stealNextWrap = false;
            wrapped.remove(wrapToken); // someone else unwrapped it first
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("token", wrapToken);
        info.put("accessor", wrapAccessor);
        info.put("ttl", wrap.toSeconds());
        info.put("creation_time", now.toString());
        info.put("creation_path", "auth/token/create/" + roleName);
        info.put("wrapped_accessor", token.accessor);
        send(exchange, 200, envelope(null, info, null));
    }

    private void unwrap(HttpExchange exchange, String tokenId, JsonNode body) throws IOException {
        String wrapToken = tokenId != null && wrapped.containsKey(tokenId) ? tokenId : body.path("token").asString(null);
        Wrapped w = wrapToken == null ? null : wrapped.remove(wrapToken);
        if (w == null || Instant.now().isAfter(w.expires())) {
            error(exchange, 400, "wrapping token is not valid or does not exist");
            return;
        }
        byte[] bytes = w.response().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void revoke(Token token) {
        token.revoked = true;
        leases.stream().filter(l -> l.tokenAccessor.equals(token.accessor)).forEach(l -> l.revoked = true);
    }

    private boolean allowed(Token token, String path, String capability) {
        if (token.policies.contains("root")) {
            return true;
        }
        boolean granted = false;
        for (String name : token.policies) {
            for (Rule rule : policies.getOrDefault(name, List.of())) {
                if (matches(rule.path(), path)) {
                    if (rule.capabilities().contains("deny")) {
                        return false;
                    }
                    granted |= rule.capabilities().contains(capability);
                }
            }
        }
        return granted;
    }

    private static boolean matches(String pattern, String path) {
        String regex = java.util.regex.Pattern.quote(pattern).replace("+", "\\E[^/]+\\Q");
        if (pattern.endsWith("*")) {
            regex = java.util.regex.Pattern.quote(pattern.substring(0, pattern.length() - 1)).replace("+", "\\E[^/]+\\Q")
                    + ".*";
        }
        return path.matches(regex);
    }

    private Map<String, Object> lookup(Token token) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accessor", token.accessor);
        data.put("creation_time", token.created.getEpochSecond());
        data.put("creation_ttl", token.ttl.toSeconds());
        data.put("display_name", token.displayName);
        data.put("entity_id", "");
        data.put("expire_time", token.ttl.isZero() ? null : token.created.plus(token.ttl).toString());
        data.put("explicit_max_ttl", token.explicitMaxTtl.toSeconds());
        data.put("id", token.id);
        data.put("meta", token.metadata.isEmpty() ? null : token.metadata);
        data.put("num_uses", 0);
        data.put("orphan", true);
        data.put("path", token.role == null ? "auth/token/create" : "auth/token/create/" + token.role);
        data.put("policies", token.policies);
        data.put("renewable", false);
        data.put("ttl", token.ttl.isZero() ? 0
                : Math.max(0, Duration.between(Instant.now(), token.created.plus(token.ttl)).toSeconds()));
        data.put("type", "service");
        return data;
    }

    private Map<String, Object> mount() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accessor", "kv_5f3c2a10");
        data.put("config", Map.of("default_lease_ttl", 0, "force_no_cache", false, "max_lease_ttl", 0));
        data.put("description", "");
        data.put("external_entropy_access", false);
        data.put("local", false);
        data.put("options", Map.of("version", "2"));
        data.put("path", kvMount + "/");
        data.put("seal_wrap", false);
        data.put("type", "kv");
        data.put("uuid", UUID.randomUUID().toString());
        return data;
    }

    private void health(HttpExchange exchange) throws IOException {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("initialized", true);
        health.put("sealed", sealed);
        health.put("standby", false);
        health.put("performance_standby", false);
        health.put("replication_performance_mode", "disabled");
        health.put("replication_dr_mode", "disabled");
        health.put("server_time_utc", Instant.now().getEpochSecond());
        health.put("version", "1.17.6");
        health.put("enterprise", false);
        health.put("cluster_name", "vault-cluster-0b1e1bb8");
        health.put("cluster_id", "9e3f4a2b-5c6d-4e7f-8a9b-0c1d2e3f4a5b");
        health.put("echo_duration_ms", 0);
        health.put("clock_skew_ms", 0);
        health.put("replication_primary_canary_age_ms", 0);
        send(exchange, sealed ? 503 : 200, health);
    }

    private Token newToken(List<String> policyNames, Map<String, String> metadata, Duration ttl, Duration max,
            String role, String displayName) {
        Token token = new Token("hvs." + random(24), random(12), policyNames, metadata, ttl, max, role, displayName);
        tokens.put(token.id, token);
        return token;
    }

    private static Map<String, Object> envelope(Object data, Object wrapInfo, Object auth) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("request_id", wrapInfo == null ? UUID.randomUUID().toString() : "");
        response.put("lease_id", "");
        response.put("renewable", false);
        response.put("lease_duration", 0);
        response.put("data", data);
        response.put("wrap_info", wrapInfo);
        response.put("warnings", null);
        response.put("auth", auth);
        response.put("mount_type", auth != null ? "token" : "");
        return response;
    }

    private static Duration duration(String value) {
        String v = value.strip();
        if (v.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        long amount = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("duration " + value);
        };
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b).substring(0, bytes);
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, Map.of("errors", List.of(message)));
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
