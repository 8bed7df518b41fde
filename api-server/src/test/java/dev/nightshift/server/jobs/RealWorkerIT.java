package dev.nightshift.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The embedded default end to end: the real agent-worker, found by the server itself, in a child JVM. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RealWorkerIT {

    private static final String TOKEN = "real-worker-admin";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-real-worker-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
    }

    @LocalServerPort
    private int port;

    @Test
    void shouldRunTheRealWorkerToItsHonestEscalation() {
        ApiClient api = new ApiClient(port);
        String id = api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title", "DNS failures",
                "problem", "CoreDNS returns SERVFAIL", "domains", List.of("network"), "severity", "critical"))
                .send().json().path("id").asString();

        await().atMost(Duration.ofSeconds(30)).until(() -> "ESCALATED".equals(
                api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json().path("status").asString()));

        JsonNode done = api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json();
        List<String> states = new ArrayList<>();
        done.path("transitions").forEach(t -> states.add(t.path("to").asString() + " by " + t.path("actor").asString()));
        assertThat(states).containsExactly("QUEUED by admin", "LAUNCHING by dispatcher", "RUNNING by local-runtime",
                "ESCALATED by local-runtime");
        assertThat(done.path("transitions").get(3).path("reason").asString()).isEqualTo("reasoning not available");
        assertThat(api.get("/api/v1/investigations/" + id + "/logs").bearer(TOKEN).send().body())
                .contains("nightshift-worker: investigation " + id)
                .doesNotContain("Exception");
    }
}
