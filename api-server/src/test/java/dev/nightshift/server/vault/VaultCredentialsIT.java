package dev.nightshift.server.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.PrometheusServer;
import dev.nightshift.server.SlowPrometheus;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.system.MetricNames;
import dev.nightshift.server.vault.VaultTestServer.Role;
import dev.nightshift.server.vault.VaultTestServer.Rule;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Per-attempt Vault credentials end to end: the server issues a response-wrapped token from the
 * phase's role, the real worker (a child JVM of the local runtime) unwraps it, reads the same paths
 * in every phase against the Vault test server's ACLs, and everything is revoked when the
 * investigation ends, whatever ended it; an intercepted wrapping token raises an alert.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class VaultCredentialsIT {

    private static final String TOKEN = "vault-it-admin-token";
    private static final String PROMETHEUS_SECRET = "prom-vault-secret-9f8e7d6c";
    private static final VaultTestServer VAULT = new VaultTestServer("nightshift");
    private static final String SERVER_TOKEN;
    private static PrometheusServer prometheus;
    private static SlowPrometheus hanging;
    private static Path dataDir;

    static {
        VAULT.policy("nightshift-server", new Rule("auth/token/create/nightshift-*", Set.of("create", "update")),
                new Rule("auth/token/revoke-accessor", Set.of("update")));
        SERVER_TOKEN = VAULT.token("nightshift-server");
        VAULT.role("nightshift-shadow", new Role(List.of("nightshift-agent-shadow"), true));
        VAULT.policy("nightshift-agent-shadow",
                new Rule("nightshift/data/datasources/*", Set.of("read")),
                new Rule("nightshift/data/datasources/+/loki", Set.of("deny")),
                new Rule("database/creds/readonly", Set.of("read")));
        VAULT.kv("datasources/default/prometheus", Map.of("token", PROMETHEUS_SECRET));
        VAULT.kv("datasources/hanging/prometheus", Map.of("token", PROMETHEUS_SECRET));
        VAULT.dynamicSecret("database/creds/readonly", Map.of("username", "v-agent", "password", "db-pass-5e6f7a8b"));
    }

    @BeforeAll
    static void sources() throws Exception {
        prometheus = PrometheusServer.start();
        hanging = SlowPrometheus.start(Duration.ofMinutes(5), false);
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        hanging.close();
        VAULT.close();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        dataDir = Files.createTempDirectory("nightshift-vault-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.vault.uri", VAULT::url);
        registry.add("nightshift.vault.token", () -> SERVER_TOKEN);
        registry.add("nightshift.vault.extra-paths[0]", () -> "database/creds/readonly");
        registry.add("nightshift.vault.extra-paths[1]", () -> "nightshift/data/payments/api");
        registry.add("nightshift.vault.sweep-interval", () -> "500ms");
        registry.add("nightshift.datasources.clusters.default.prometheus.url", () -> prometheus.url());
        registry.add("nightshift.datasources.clusters.default.loki.url", () -> "http://127.0.0.1:9");
        registry.add("nightshift.datasources.clusters.hanging.prometheus.url",
                hanging::url);
        registry.add("nightshift.worker.tool-timeout", () -> "20s");
    }

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private InvestigationService investigations;

    @Autowired
    private MeterRegistry meters;

    private ApiClient api() {
        return new ApiClient(port);
    }

    private UUID create(String title, String problem, String cluster) {
        Map<String, Object> body = new HashMap<>(Map.of("title", title, "problem", problem,
                "domains", List.of("application"), "severity", "critical"));
        if (cluster != null) {
            body.put("target", Map.of("cluster", cluster));
        }
        return UUID.fromString(api().post("/api/v1/investigations").bearer(TOKEN).json(body).send().json().path("id")
                .asString());
    }

    private String status(UUID id) {
        return api().get("/api/v1/investigations/" + id).bearer(TOKEN).send().json().path("status").asString();
    }

    private void awaitStatus(UUID id, String pattern) {
        await().atMost(Duration.ofSeconds(90)).until(() -> status(id).matches(pattern));
    }

    private List<JsonNode> events(UUID id) {
        return api().get("/api/v1/investigations/" + id + "/events?limit=1000").bearer(TOKEN).send().json()
                .path("items").valueStream().toList();
    }

    private VaultTestServer.Token tokenOf(UUID id) {
        return VAULT.tokensOfRole("nightshift-shadow").stream()
                .filter(t -> id.toString().equals(t.metadata.get("investigation_id"))).findFirst().orElse(null);
    }

    private List<String> audit(UUID id) {
        return jdbc.sql("SELECT action || ' ' || details::text FROM audit_log WHERE investigation_id = ? ORDER BY seq")
                .param(id).query(String.class).list();
    }

    @Test
    void shouldHandOverAWrappedTokenReadTheSamePathsAndRevokeItAtTheEnd() throws IOException {
        UUID id = create("checkout is down", "Requests to checkout fail since 02:10; ask ops@example.com.", null);
        awaitStatus(id, "SUCCEEDED|ESCALATED|FAILED|TIMED_OUT");
        assertThat(status(id)).isEqualTo("SUCCEEDED");

        VaultTestServer.Token token = tokenOf(id);
        assertThat(token).as("a token of the shadow role for this investigation").isNotNull();
        assertThat(token.metadata).containsEntry("attempt", "1").containsEntry("trust_phase", "SHADOW");
        assertThat(token.policies).contains("nightshift-agent-shadow");
        assertThat(token.ttl).as("the remaining deadline (900 s) plus the grace (120 s)")
                .isBetween(Duration.ofSeconds(900), Duration.ofSeconds(1020));
        assertThat(token.explicitMaxTtl).isEqualTo(Duration.ofHours(2));
        List<String> byWorker = VAULT.log().stream().filter(l -> l.endsWith(" " + token.accessor)).toList();
        assertThat(byWorker).containsExactly(
                "GET nightshift/data/datasources/default/prometheus " + token.accessor,
                "GET nightshift/data/datasources/default/loki " + token.accessor,
                "GET database/creds/readonly " + token.accessor,
                "GET nightshift/data/payments/api " + token.accessor,
                "POST auth/token/revoke-self " + token.accessor);
        await().atMost(Duration.ofSeconds(10)).until(() -> token.revoked);
        assertThat(VAULT.leases()).filteredOn(l -> l.tokenAccessor.equals(token.accessor)).hasSize(1)
                .allMatch(l -> l.revoked);

        JsonNode started = events(id).stream().filter(e -> e.path("type").asString().equals("STARTED")).findFirst()
                .orElseThrow().path("payload");
        assertThat(started.path("datasources").valueStream().map(JsonNode::asString).toList())
                .as("loki's secret is denied: its tools are skipped, not probed").containsExactly("prometheus");
        assertThat(started.path("unavailable").isEmpty()).isTrue();
        Map<String, String> outcomes = new HashMap<>();
        started.path("secrets").path("reads").forEach(r -> outcomes.put(r.path("path").asString(),
                r.path("outcome").asString()));
        assertThat(outcomes).containsEntry("nightshift/data/datasources/default/prometheus", "read")
                .containsEntry("nightshift/data/datasources/default/loki", "denied")
                .containsEntry("database/creds/readonly", "read")
                .containsEntry("nightshift/data/payments/api", "denied");

        List<String> audit = audit(id);
        assertThat(audit).anyMatch(a -> a.startsWith("credentials.issued") && a.contains(token.accessor));
        assertThat(audit).anyMatch(a -> a.startsWith("credentials.read") && a.contains("database/creds/readonly/"));
        await().atMost(Duration.ofSeconds(10)).until(() -> audit(id).stream()
                .anyMatch(a -> a.startsWith("credentials.revoked") && a.contains(token.accessor)));
        assertThat(jdbc.sql("SELECT revoked_at IS NOT NULL FROM vault_tokens WHERE accessor = ?").param(token.accessor)
                .query(Boolean.class).single()).isTrue();

        // Secret values go nowhere: not the history, not the audit trail, not the run's log.
        String everything = String.join("\n", events(id).stream().map(JsonNode::toString).toList()) + "\n"
                + String.join("\n", audit(id)) + "\n"
                + api().get("/api/v1/investigations/" + id + "/logs").bearer(TOKEN).send().body();
        assertThat(everything).doesNotContain(PROMETHEUS_SECRET, "db-pass-5e6f7a8b", token.id, "hvs.CAES");
        assertThat(meters.timer(MetricNames.CREDENTIALS_ISSUED, "outcome", "issued").count()).isPositive();
    }

    @Test
    void shouldRevokeWhenTheInvestigationEndsWhateverEndedIt() {
        for (String end : List.of("CANCELLED", "FAILED", "TIMED_OUT")) {
            UUID id = create("checkout is down " + end, "Requests to checkout fail.", "hanging");
            await().atMost(Duration.ofSeconds(60)).until(() -> tokenOf(id) != null && status(id).equals("RUNNING"));
            VaultTestServer.Token token = tokenOf(id);
            assertThat(token.revoked).isFalse();
            if (end.equals("CANCELLED")) {
                assertThat(api().post("/api/v1/investigations/" + id + "/cancel").bearer(TOKEN)
                        .json(Map.of("reason", "duplicate")).send().status()).isEqualTo(200);
            } else {
                investigations.report(id, InvestigationStatus.valueOf(end), "test-runtime",
                        end.equals("FAILED") ? "OOMKilled" : "DeadlineExceeded");
            }
            await(end).atMost(Duration.ofSeconds(20)).until(() -> token.revoked);
            assertThat(audit(id)).anyMatch(a -> a.startsWith("credentials.revoked")
                    && a.contains("investigation " + end.toLowerCase(java.util.Locale.ROOT)));
        }
    }

    @Test
    void shouldRaiseACredentialAlertWhenTheWrappingTokenWasAlreadyUnwrapped() {
        double before = meters.counter(MetricNames.CREDENTIAL_ALERTS).count();
        VAULT.interceptNextWrap();
        UUID id = create("checkout is down", "Requests to checkout fail since 02:10.", null);
        awaitStatus(id, "SUCCEEDED|ESCALATED|FAILED|TIMED_OUT");
        assertThat(status(id)).as("the worker stops").isEqualTo("FAILED");
        JsonNode alert = events(id).stream().filter(e -> e.path("type").asString().equals("CREDENTIAL_ALERT"))
                .findFirst().orElseThrow().path("payload");
        assertThat(alert.path("attempt").asInt()).isEqualTo(1);
        assertThat(alert.path("detail").asString()).contains("wrapping token is not valid or does not exist");
        VaultTestServer.Token stolen = tokenOf(id);
        assertThat(stolen.revoked).as("whoever holds it holds nothing now").isTrue();
        assertThat(audit(id)).anyMatch(a -> a.startsWith("credentials.intercepted"));
        assertThat(meters.counter(MetricNames.CREDENTIAL_ALERTS).count()).isEqualTo(before + 1);
        assertThat(meters.find(MetricNames.INVESTIGATIONS_FAILED).tag("outcome", "failed").counter().count())
                .as("counted as failed").isPositive();
    }

    @Test
    void shouldKeepTheWorkerWaitingAndStoreNothingWhileVaultIsSealed() {
        long refusedBefore = VAULT.log().stream().filter(l -> l.startsWith("POST auth/token/create/")).count();
        VAULT.seal(true);
        UUID id;
        try {
            id = create("checkout is down", "Requests to checkout fail since 02:10.", null);
            // The worker's registrations are refused with 503 and retried with back-off.
            await().atMost(Duration.ofSeconds(30)).until(() -> VAULT.log().stream()
                    .filter(l -> l.startsWith("POST auth/token/create/nightshift-shadow ")).count() >= refusedBefore + 2);
            assertThat(status(id)).isIn("LAUNCHING", "RUNNING");
            assertThat(jdbc.sql("SELECT count(*) FROM investigation_attempts WHERE investigation_id = ?").param(id)
                    .query(Long.class).single()).as("a refused registration stores nothing").isZero();
        } finally {
            VAULT.seal(false);
        }
        awaitStatus(id, "SUCCEEDED|ESCALATED|FAILED|TIMED_OUT");
        assertThat(status(id)).isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("SELECT attempt FROM investigation_attempts WHERE investigation_id = ?").param(id)
                .query(Integer.class).list()).containsExactly(1);
    }
}
