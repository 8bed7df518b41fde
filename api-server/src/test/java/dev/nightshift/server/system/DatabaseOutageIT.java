package dev.nightshift.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/** With PostgreSQL gone, the API answers 503 with Retry-After, never a 500 and never a half-write. */
@TestPropertySource(properties = "spring.datasource.hikari.connection-timeout=1000")
@DirtiesContext
class DatabaseOutageIT extends IntegrationTest {

    @Autowired
    private EmbeddedPostgres postgres;

    @Test
    void shouldAnswer503WithRetryAfterWhileTheDatabaseIsDown() throws IOException {
        String id = api.post("/api/v1/investigations").bearer(OPERATOR).json(Map.of("title", "t", "problem", "p",
                "domains", List.of("database"), "severity", "info")).send().json().path("id").asString();

        postgres.close();

        ApiClient.Response create = api.post("/api/v1/investigations").bearer(OPERATOR).json(Map.of("title", "t",
                "problem", "p", "domains", List.of("database"), "severity", "info")).send();
        assertThat(create.status()).isEqualTo(503);
        assertThat(create.header("Retry-After")).isEqualTo("5");
        assertThat(create.json().path("type").asString()).isEqualTo("https://nightshift.dev/problems/service-unavailable");

        assertThat(api.get("/api/v1/investigations").bearer(VIEWER).send().status()).isEqualTo(503);
        assertThat(api.get("/api/v1/investigations/" + id).bearer(VIEWER).send().status()).isEqualTo(503);
        assertThat(api.post("/api/v1/investigations/" + UUID.fromString(id) + "/cancel").bearer(OPERATOR).send().status())
                .isEqualTo(503);
        assertThat(api.get("/actuator/health").send().status()).isEqualTo(503);
    }
}
