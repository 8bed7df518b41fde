package dev.nightshift.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class SecurityIT extends IntegrationTest {

    private static final String INVESTIGATIONS = "/api/v1/investigations";
    private static final Map<String, Object> BODY = Map.of("title", "DNS failures", "problem",
            "CoreDNS returns SERVFAIL for internal names", "domains", List.of("network", "kubernetes"),
            "severity", "critical");

    @Test
    void shouldAnswer401WithoutCredentials() {
        ApiClient.Response response = api.get(INVESTIGATIONS).send();
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(response.json().path("type").asString()).isEqualTo("https://nightshift.dev/problems/unauthorized");
        assertThat(api.post(INVESTIGATIONS).json(BODY).send().status()).isEqualTo(401);
    }

    @Test
    void shouldAnswer401ForUnknownTokensAndBadJwts() {
        assertThat(api.get(INVESTIGATIONS).bearer("not-a-token").send().status()).isEqualTo(401);
        assertThat(api.get(INVESTIGATIONS).basic("ops", "not-a-token").send().status()).isEqualTo(401);
        String expired = jwt("alice", ISSUER, List.of("viewer"), Instant.now().minusSeconds(3600));
        assertThat(api.get(INVESTIGATIONS).bearer(expired).send().status()).isEqualTo(401);
        String foreign = jwt("alice", "https://evil.example", List.of("admin"), Instant.now().plusSeconds(300));
        assertThat(api.get(INVESTIGATIONS).bearer(foreign).send().status()).isEqualTo(401);
    }

    @Test
    void shouldForbidViewersToCreateOrCancel() {
        long before = investigationCount();
        ApiClient.Response response = api.post(INVESTIGATIONS).bearer(VIEWER).json(BODY).send();
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().path("type").asString()).isEqualTo("https://nightshift.dev/problems/forbidden");
        assertThat(investigationCount()).isEqualTo(before);

        String id = api.post(INVESTIGATIONS).bearer(OPERATOR).json(BODY).send().json().path("id").asString();
        assertThat(api.post(INVESTIGATIONS + "/" + id + "/cancel").bearer(VIEWER).send().status()).isEqualTo(403);
        assertThat(api.get(INVESTIGATIONS + "/" + id).bearer(VIEWER).send().json().path("status").asString())
                .isEqualTo("QUEUED");
    }

    @Test
    void shouldLetOperatorsAndAdminsCreateAndViewersRead() {
        assertThat(api.post(INVESTIGATIONS).bearer(OPERATOR).json(BODY).send().status()).isEqualTo(201);
        ApiClient.Response admin = api.post(INVESTIGATIONS).bearer(ADMIN).json(BODY).send();
        assertThat(admin.status()).isEqualTo(201);
        assertThat(admin.json().path("createdBy").asString()).isEqualTo("admin");
        assertThat(api.get(INVESTIGATIONS).bearer(VIEWER).send().status()).isEqualTo(200);
    }

    @Test
    void shouldAcceptTheTokenAsBasicAuthPassword() {
        ApiClient.Response response = api.post(INVESTIGATIONS).basic("alertmanager", OPERATOR).json(BODY).send();
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().path("createdBy").asString()).isEqualTo("otto-operator");
    }

    @Test
    void shouldTakeRolesAndPrincipalFromJwt() {
        String operator = jwt("carol@example.com", ISSUER, List.of("operator", "unrelated"), Instant.now().plusSeconds(300));
        ApiClient.Response created = api.post(INVESTIGATIONS).bearer(operator).json(BODY).send();
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("createdBy").asString()).isEqualTo("carol@example.com");

        String viewer = jwt("dave", ISSUER, List.of("VIEWER"), Instant.now().plusSeconds(300));
        assertThat(api.get(INVESTIGATIONS).bearer(viewer).send().status()).isEqualTo(200);
        assertThat(api.post(INVESTIGATIONS).bearer(viewer).json(BODY).send().status()).isEqualTo(403);

        String nobody = jwt("eve", ISSUER, List.of(), Instant.now().plusSeconds(300));
        assertThat(api.get(INVESTIGATIONS).bearer(nobody).send().status()).isEqualTo(403);
    }

    @Test
    void shouldNeverWriteTokensToTheLog(CapturedOutput output) {
        String jwt = jwt("frank", ISSUER, List.of("operator"), Instant.now().plusSeconds(300));
        api.post(INVESTIGATIONS).bearer(OPERATOR).json(BODY).send();
        api.post(INVESTIGATIONS).bearer(jwt).json(BODY).send();
        api.get(INVESTIGATIONS).bearer("wrong-secret-token").send();
        api.get(INVESTIGATIONS).basic("x", "another-wrong-secret").send();
        assertThat(output.getAll()).doesNotContain(OPERATOR, jwt, "wrong-secret-token", "another-wrong-secret");
    }

    @Test
    void shouldOpenHealthAndKeepOtherActuatorEndpointsForAdmins() {
        ApiClient.Response health = api.get("/actuator/health").send();
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asString()).isEqualTo("UP");

        assertThat(api.get("/actuator/metrics").send().status()).isEqualTo(401);
        assertThat(api.get("/actuator/metrics").bearer(OPERATOR).send().status()).isEqualTo(403);
        assertThat(api.get("/actuator/metrics").bearer(ADMIN).send().status()).isEqualTo(200);
    }
}
