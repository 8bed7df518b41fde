package dev.nightshift.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.ApiClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With PostgreSQL gone, the API answers 503 with Retry-After, never a 500 and never a half-write.
 * It stops its own PostgreSQL, so it does not share the other integration tests' context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class DatabaseOutageIT {

    private static final String TOKEN = "outage-admin-token";
    private static final Map<String, Object> BODY = Map.of("title", "t", "problem", "p",
            "domains", List.of("database"), "severity", "info");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dataDir = Files.createTempDirectory("nightshift-outage-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false"); // no worker events here
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
    }

    @Autowired
    private EmbeddedPostgres postgres;

    @LocalServerPort
    private int port;

    @Test
    void shouldAnswer503WithRetryAfterWhileTheDatabaseIsDown() throws IOException {
        ApiClient api = new ApiClient(port);
        String id = api.post("/api/v1/investigations").bearer(TOKEN).json(BODY).send().json().path("id").asString();

        postgres.close();

        ApiClient.Response create = api.post("/api/v1/investigations").bearer(TOKEN).json(BODY).send();
        assertThat(create.status()).isEqualTo(503);
        assertThat(create.header("Retry-After")).isEqualTo("5");
        assertThat(create.json().path("type").asString()).isEqualTo("https://nightshift.dev/problems/service-unavailable");

        assertThat(api.get("/api/v1/investigations").bearer(TOKEN).send().status()).isEqualTo(503);
        assertThat(api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().status()).isEqualTo(503);
        assertThat(api.post("/api/v1/investigations/" + id + "/cancel").bearer(TOKEN).send().status()).isEqualTo(503);
        assertThat(api.get("/actuator/health").send().status()).isEqualTo(503);
    }
}
