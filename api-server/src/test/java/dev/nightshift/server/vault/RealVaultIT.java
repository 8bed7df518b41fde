package dev.nightshift.server.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.worker.WorkerTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.vault.VaultContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The same handover against a real Vault in a container, where Docker exists (skipped cleanly
 * where it does not, as on the machines this project is built on): issue, unwrap once, read what the
 * phase's policy grants, be denied the rest, and find the token revoked once the investigation ends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Testcontainers(disabledWithoutDocker = true)
class RealVaultIT {

    private static final String ROOT = "nightshift-root-token";
    private static final String ADMIN = "real-vault-admin-token";
    private static final String POLICY = """
            path "nightshift/data/datasources/*" { capabilities = ["read"] }
            """;

    @Container
    static final VaultContainer<?> VAULT = new VaultContainer<>("hashicorp/vault:1.17")
            .withVaultToken(ROOT)
            .withCopyToContainer(Transferable.of(POLICY), "/tmp/agent-assist.hcl")
            .withInitCommand("secrets enable -path=nightshift kv-v2",
                    "kv put nightshift/datasources/default/prometheus token=prom-from-real-vault",
                    "kv put nightshift/llm/inference api_key=sk-not-for-assist",
                    "policy write nightshift-agent-assist /tmp/agent-assist.hcl",
                    "write auth/token/roles/nightshift-assist allowed_policies=nightshift-agent-assist orphan=true");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-real-vault-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> ADMIN);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false");
        registry.add("nightshift.dispatcher.enabled", () -> "false");
        registry.add("nightshift.trust.phase", () -> "ASSIST");
        registry.add("nightshift.vault.uri", VAULT::getHttpHostAddress);
        registry.add("nightshift.vault.token", () -> ROOT);
        registry.add("nightshift.datasources.clusters.default.prometheus.url", () -> "http://prometheus:9090");
        registry.add("nightshift.llm.base-url", () -> "http://llm.internal/v1");
        registry.add("nightshift.llm.model", () -> "gpt-test");
    }

    @LocalServerPort
    private int port;

    @Autowired
    private WorkerTokens workerTokens;

    @Autowired
    private InvestigationService investigations;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private HttpResponse<String> vault(String token, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(VAULT.getHttpHostAddress() + "/v1/" + path))
                .header("X-Vault-Token", token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldIssueAWrappedTokenThatReadsWhatThePhaseGrantsAndIsRevokedAtTheEnd() throws Exception {
        ApiClient api = new ApiClient(port);
        UUID id = UUID.fromString(api.post("/api/v1/investigations").bearer(ADMIN).json(Map.of("title", "checkout slow",
                "problem", "p99 latency rose", "domains", List.of("application"), "severity", "critical")).send()
                .json().path("id").asString());
        investigations.report(id, InvestigationStatus.LAUNCHING, "test-runtime", "claimed");
        JsonNode registration = api.post("/api/v1/investigations/" + id + "/attempts").bearer(workerTokens.mint(id))
                .send().json();
        String wrapping = registration.path("vault").path("wrappingToken").asString();

        HttpResponse<String> unwrapped = vault(wrapping, "POST", "sys/wrapping/unwrap", null);
        assertThat(unwrapped.statusCode()).as(unwrapped.body()).isEqualTo(200);
        JsonNode auth = json.readTree(unwrapped.body()).path("auth");
        assertThat(auth.path("metadata").path("investigation_id").asString()).isEqualTo(id.toString());
        assertThat(auth.path("metadata").path("trust_phase").asString()).isEqualTo("ASSIST");
        assertThat(auth.path("policies").valueStream().map(JsonNode::asString)).contains("nightshift-agent-assist");
        String token = auth.path("client_token").asString();
        assertThat(vault(wrapping, "POST", "sys/wrapping/unwrap", null).statusCode()).as("single use").isEqualTo(400);

        HttpResponse<String> secret = vault(token, "GET", "nightshift/data/datasources/default/prometheus", null);
        assertThat(json.readTree(secret.body()).path("data").path("data").path("token").asString())
                .isEqualTo("prom-from-real-vault");
        assertThat(vault(token, "GET", "nightshift/data/llm/inference", null).statusCode())
                .as("the same path in every phase; this phase's policy denies it").isEqualTo(403);

        assertThat(api.post("/api/v1/investigations/" + id + "/cancel").bearer(ADMIN).json(Map.of("reason", "done"))
                .send().status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> vault(token, "GET", "auth/token/lookup-self", null)
                .statusCode() == 403);
    }
}
