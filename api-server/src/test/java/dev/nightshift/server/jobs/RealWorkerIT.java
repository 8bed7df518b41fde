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

/**
 * The embedded default end to end: the real agent-worker, found by the server itself, in a child
 * JVM, publishing to the server's own embedded Kafka broker.
 */
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

    /** The types of the worker's own events (attempt 1) in the investigation's history. */
    private static List<String> workerEvents(ApiClient api, String id) {
        List<String> types = new ArrayList<>();
        api.get("/api/v1/investigations/" + id + "/events").bearer(TOKEN).header("Accept", "application/json").send()
                .json().path("items").forEach(event -> {
                    if (event.path("attempt").asInt() == 1) {
                        types.add(event.path("type").asString());
                    }
                });
        return types;
    }

    @Test
    void shouldRunTheRealWorkerToItsHonestEscalation() {
        ApiClient api = new ApiClient(port);
        String id = api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title", "DNS failures",
                "problem", "CoreDNS returns SERVFAIL", "domains", List.of("network"), "severity", "critical"))
                .send().json().path("id").asString();

        await().atMost(Duration.ofSeconds(60)).until(() -> workerEvents(api, id).contains("ESCALATED"));

        JsonNode done = api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json();
        List<String> states = new ArrayList<>();
        done.path("transitions").forEach(t -> states.add(t.path("to").asString()));
        assertThat(states).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "ESCALATED");
        // The runtime's view of the end waits a grace for the worker's own final event, which decides.
        assertThat(done.path("transitions").get(3).path("actor").asString()).isEqualTo("worker");
        assertThat(done.path("transitions").get(3).path("reason").asString()).isEqualTo("reasoning not available");
        assertThat(workerEvents(api, id)).containsExactly("STARTED", "ESCALATED");
        assertThat(api.get("/api/v1/investigations/" + id + "/logs").bearer(TOKEN).send().body())
                .contains("nightshift-worker: investigation " + id)
                .doesNotContain("Exception");
    }
}
