package dev.nightshift.server.jobs;

import static dev.nightshift.server.InvestigationJson.lastReason;
import static dev.nightshift.server.InvestigationJson.states;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The local runtime with real child JVMs, driven through the API: the dispatcher launches each
 * created investigation, and the worker's exit code, result file or deadline decides how it ends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LocalRuntimeIT {

    private static final String TOKEN = "local-runtime-admin";
    private static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException, URISyntaxException {
        dataDir = Files.createTempDirectory("nightshift-local-");
        Path testClasses = Path.of(ScriptedWorker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false"); // no worker events here
        registry.add("nightshift.runtime.end-grace", () -> "0s"); // no worker event to wait for
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.runtime.local.worker-jar", testClasses::toString);
        registry.add("nightshift.runtime.local.worker-main-class", ScriptedWorker.class::getName);
        registry.add("nightshift.runtime.local.max-concurrent", () -> "2");
        registry.add("nightshift.investigations.tiers[0].name", () -> "simple");
        registry.add("nightshift.investigations.tiers[0].max-domains", () -> "1");
        registry.add("nightshift.investigations.tiers[0].deadline", () -> "4s");
        registry.add("nightshift.investigations.tiers[1].name", () -> "multi-domain");
        registry.add("nightshift.investigations.tiers[1].max-domains", () -> "6");
    }

    @LocalServerPort
    private int port;

    @Autowired
    private Dispatcher dispatcher;

    private ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    private void script(String script) throws IOException {
        Files.writeString(dataDir.resolve("worker-script"), script);
    }

    private String create(String severity) {
        ApiClient.Response response = api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title", "t",
                "problem", "p", "domains", List.of("network"), "severity", severity)).send();
        assertThat(response.status()).isEqualTo(201);
        return response.json().path("id").asString();
    }

    private JsonNode awaitTerminal(String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json();
            return List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "ESCALATED", "CANCELLED")
                    .contains(last[0].path("status").asString());
        });
        return last[0];
    }

    @Test
    void shouldRunToTheWorkersOutcomeAndKeepItsLog() throws IOException {
        script("conclude");
        String id = create("warning");
        JsonNode done = awaitTerminal(id);
        assertThat(states(done)).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "SUCCEEDED");
        assertThat(lastReason(done)).isEqualTo("connection pool exhausted by slow queries");

        ApiClient.Response log = api.get("/api/v1/investigations/" + id + "/logs").bearer(TOKEN).send();
        assertThat(log.status()).isEqualTo(200);
        assertThat(log.body()).contains("scripted worker for " + id + ": conclude");
    }

    @Test
    void shouldEscalateWhenTheWorkerSaysSo() throws IOException {
        script("escalate");
        JsonNode done = awaitTerminal(create("info"));
        assertThat(states(done)).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "ESCALATED");
        assertThat(lastReason(done)).isEqualTo("reasoning not available");
    }

    @Test
    void shouldMapExitCodesToFailuresWithReasons() throws IOException {
        script("exit2");
        assertThat(lastReason(awaitTerminal(create("info"))))
                .isEqualTo("bad input or configuration (exit code 2): INVESTIGATION_ID is not set");
        script("crash");
        assertThat(lastReason(awaitTerminal(create("info")))).isEqualTo("worker crashed with exit code 1");
        script("oom");
        JsonNode oom = awaitTerminal(create("info"));
        assertThat(oom.path("status").asString()).isEqualTo("FAILED");
        assertThat(lastReason(oom)).isEqualTo("OOMKilled: out of memory with a limit of 512m");
    }

    @Test
    void shouldKillTheProcessTreeAtTheDeadline() throws IOException {
        script("sleep");
        String id = create("critical");
        JsonNode done = awaitTerminal(id);
        assertThat(states(done)).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "TIMED_OUT");
        assertThat(lastReason(done)).isEqualTo("DeadlineExceeded: ran longer than 4 s");
        assertThat(api.get("/api/v1/investigations/" + id + "/logs?tailLines=1").bearer(TOKEN).send().body())
                .matches("thinking \\d+\\n");
    }

    @Test
    void shouldStopTheRunWhenCancelledMidRun() throws IOException {
        script("sleep");
        String id = create("critical");
        // Mid-run: the worker is thinking, not merely started.
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/investigations/" + id + "/logs")
                .bearer(TOKEN).send().body().contains("thinking 0"));
        ApiClient.Response cancelled = api.post("/api/v1/investigations/" + id + "/cancel").bearer(TOKEN).send();
        assertThat(cancelled.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcherLauncherActive(id));
        JsonNode after = api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json();
        assertThat(states(after)).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "CANCELLED");
        ApiClient.Response log = api.get("/api/v1/investigations/" + id + "/logs?follow=true").bearer(TOKEN).send();
        assertThat(log.body()).contains("thinking 0");
    }

    @Autowired
    private InvestigationLauncher launcher;

    private boolean dispatcherLauncherActive(String id) {
        return launcher.activeRuns().stream().anyMatch(run -> run.toString().equals(id));
    }
}
