package dev.nightshift.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.PrometheusServer;
import dev.nightshift.server.SlowPrometheus;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The embedded default end to end with no LLM: the real agent-worker in a child JVM registers,
 * reasons with the rules against a real Prometheus, publishes to the server's own embedded Kafka,
 * and concludes or escalates. The {@code simple} tier's circuit breaker is 3 cycles here.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RealWorkerIT {

    private static final String TOKEN = "real-worker-admin";
    private static PrometheusServer prometheus;
    private static SlowPrometheus hanging;

    @BeforeAll
    static void sources() throws Exception {
        prometheus = PrometheusServer.start();
        // A Prometheus that answers its status page and then never answers a query.
        hanging = SlowPrometheus.start(Duration.ofMinutes(5), false);
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (hanging != null) {
            hanging.close();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-real-worker-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.datasources.clusters.default.prometheus.url", () -> prometheus.url());
        registry.add("nightshift.datasources.clusters.hanging.prometheus.url",
                hanging::url);
        registry.add("nightshift.worker.tool-timeout", () -> "2s");
        registry.add("nightshift.investigations.tiers[0].name", () -> "simple");
        registry.add("nightshift.investigations.tiers[0].max-domains", () -> "1");
        registry.add("nightshift.investigations.tiers[0].max-reasoning-cycles", () -> "3");
        registry.add("nightshift.investigations.tiers[1].name", () -> "multi-domain");
        registry.add("nightshift.investigations.tiers[1].max-domains", () -> "6");
    }

    @LocalServerPort
    private int port;

    private String create(String title, String problem, String cluster) {
        Map<String, Object> body = new HashMap<>(Map.of("title", title, "problem", problem,
                "domains", List.of("application"), "severity", "critical"));
        if (cluster != null) {
            body.put("target", Map.of("cluster", cluster, "namespace", "shop"));
        }
        return new ApiClient(port).post("/api/v1/investigations").bearer(TOKEN).json(body).send().json().path("id")
                .asString();
    }

    /** The worker's own events (attempt 1), in history order. */
    private List<JsonNode> workerEvents(String id) {
        List<JsonNode> events = new ArrayList<>();
        new ApiClient(port).get("/api/v1/investigations/" + id + "/events?limit=1000").bearer(TOKEN)
                .header("Accept", "application/json").send().json().path("items").forEach(event -> {
                    if (event.path("attempt").asInt() == 1) {
                        events.add(event);
                    }
                });
        return events;
    }

    private List<String> types(String id) {
        return workerEvents(id).stream().map(e -> e.path("type").asString()).toList();
    }

    private JsonNode awaitEnd(String id) {
        ApiClient api = new ApiClient(port);
        await().atMost(Duration.ofSeconds(90)).until(() -> api.get("/api/v1/investigations/" + id).bearer(TOKEN).send()
                .json().path("status").asString().matches("SUCCEEDED|ESCALATED|FAILED|TIMED_OUT"));
        return api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json();
    }

    private static String lastReason(JsonNode investigation) {
        return investigation.path("transitions").get(investigation.path("transitions").size() - 1).path("reason")
                .asString();
    }

    @Test
    void shouldDiagnoseWithTheRulesAgainstARealPrometheus() {
        String id = create("checkout is down", "Requests to checkout fail since 02:10.", null);
        JsonNode done = awaitEnd(id);

        assertThat(done.path("status").asString()).as(types(id).toString()).isEqualTo("SUCCEEDED");
        assertThat(lastReason(done)).startsWith("A monitored target is down: up{")
                .contains("job=\"checkout\"");
        assertThat(done.path("cost").path("reasoningCycles").asInt()).isEqualTo(2);
        List<String> types = types(id);
        assertThat(types.getFirst()).isEqualTo("STARTED");
        assertThat(types.getLast()).isEqualTo("CONCLUDED");
        assertThat(types).contains("HYPOTHESIS_PROPOSED", "TOOL_CALLED", "EVIDENCE_COLLECTED", "HYPOTHESIS_UPDATED");
        JsonNode started = workerEvents(id).getFirst().path("payload");
        assertThat(started.path("reasoner").asString()).isEqualTo("rules");
        assertThat(started.path("datasources").get(0).asString()).isEqualTo("prometheus");
        JsonNode concluded = workerEvents(id).getLast().path("payload");
        assertThat(concluded.path("rootCauseCategory").asString()).isEqualTo("availability/target-down");
        assertThat(concluded.path("evidence").get(0).asString()).contains("refutes");

        JsonNode tree = new ApiClient(port).get("/api/v1/investigations/" + id + "/hypotheses").bearer(TOKEN).send().json();
        JsonNode down = tree.path("hypotheses").valueStream()
                .filter(h -> h.path("statement").asString().equals("A monitored target is down")).findFirst().orElseThrow();
        assertThat(down.path("status").asString()).isEqualTo("supported");
        assertThat(down.path("evidence").get(0).path("verdict").asString()).isEqualTo("supports");
        assertThat(down.path("children").get(0).path("status").asString()).isEqualTo("confirmed");
        assertThat(new ApiClient(port).get("/api/v1/investigations/" + id + "/logs").bearer(TOKEN).send().body())
                .contains("[" + id + " attempt 1]").doesNotContain("Exception");
    }

    @Test
    void shouldProposeTheRestartItDiagnosedToTheActionGateway() {
        ApiClient api = new ApiClient(port);
        String id = api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title", "checkout is down",
                "problem", "Requests to checkout fail since 02:10.", "domains", List.of("application"),
                "severity", "critical", "target", Map.of("namespace", "shop", "workload", "deployment/checkout")))
                .send().json().path("id").asString();
        JsonNode done = awaitEnd(id);
        assertThat(done.path("status").asString()).as(types(id).toString()).isEqualTo("SUCCEEDED");

        JsonNode proposed = workerEvents(id).getLast().path("payload").path("proposedAction");
        assertThat(proposed.path("kind").asString()).isEqualTo("rollout-restart");
        assertThat(proposed.path("status").asString()).as("shadow: a recommendation, never executed")
                .isEqualTo("RECORDED");
        JsonNode action = api.get("/api/v1/actions/" + proposed.path("id").asString()).bearer(TOKEN).send().json();
        assertThat(action.path("namespace").asString()).isEqualTo("shop");
        assertThat(action.path("name").asString()).isEqualTo("checkout");
        assertThat(action.path("proposedBy").asString()).isEqualTo("worker:" + id);
        assertThat(action.path("rationale").asString()).startsWith("A monitored target is down");
        List<String> history = api.get("/api/v1/investigations/" + id + "/events?limit=1000").bearer(TOKEN).send()
                .json().path("items").valueStream().map(e -> e.path("type").asString()).toList();
        assertThat(history).containsSubsequence("ACTION_PROPOSED", "ACTION_DECIDED", "CONCLUDED");
    }

    @Test
    void shouldProposeFromTheProblemAndEscalateWithoutAnyDataSource() {
        String id = create("checkout latency", "p99 latency of checkout rose; errors mention database timeouts.",
                "nowhere");
        JsonNode done = awaitEnd(id);

        assertThat(done.path("status").asString()).isEqualTo("ESCALATED");
        assertThat(lastReason(done)).startsWith("no data source is configured: ")
                .endsWith("hypotheses from the problem statement need a human to test them");
        List<String> statements = workerEvents(id).stream().filter(e -> e.path("type").asString().equals("HYPOTHESIS_PROPOSED"))
                .map(e -> e.path("payload").path("statement").asString()).toList();
        assertThat(statements).contains("A dependency is saturated and slows requests down",
                "The database is saturated: connections or locks are exhausted");
        assertThat(types(id)).doesNotContain("TOOL_CALLED");
        assertThat(done.path("cost").path("reasoningCycles").asInt()).isZero();
    }

    @Test
    void shouldTripTheCircuitBreakerAtTheConfiguredCycleAndEscalateWithTheEvidence() {
        String id = create("node pressure", "memory and cpu pressure, disk full, dns lookups slow", null);
        JsonNode done = awaitEnd(id);

        assertThat(done.path("status").asString()).isEqualTo("ESCALATED");
        assertThat(lastReason(done)).startsWith("circuit breaker: 3 reasoning cycles without a conclusion");
        assertThat(done.path("cost").path("reasoningCycles").asInt()).isEqualTo(3);
        JsonNode escalated = workerEvents(id).getLast().path("payload");
        assertThat(escalated.path("evidence")).hasSize(3);
        assertThat(types(id).stream().filter("TOOL_CALLED"::equals)).hasSize(3);
        String metrics = new ApiClient(port).get("/actuator/prometheus").bearer(TOKEN).send().body();
        assertThat(LlmWorkerIT.sample(metrics, "nightshift_circuit_breaker_trips_total", "tier=\"simple\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(LlmWorkerIT.sample(metrics, "nightshift_investigations_completed_total", "outcome=\"escalated\"",
                "tier=\"simple\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldGiveUpOnAToolThatHangsAfterItsTimeout() {
        String id = create("checkout is down", "Requests to checkout fail.", "hanging");
        JsonNode done = awaitEnd(id);

        List<JsonNode> calls = workerEvents(id).stream().filter(e -> e.path("type").asString().equals("TOOL_CALLED"))
                .map(e -> e.path("payload")).toList();
        assertThat(calls).isNotEmpty().allSatisfy(call -> {
            assertThat(call.path("ok").asBoolean()).isFalse();
            assertThat(call.path("error").asString()).contains("no answer within 2000 ms");
            assertThat(call.path("latencyMs").asLong()).isLessThan(Duration.ofMinutes(1).toMillis());
        });
        assertThat(done.path("status").asString()).isEqualTo("ESCALATED");
        assertThat(lastReason(done)).isEqualTo("the data sources did not answer the questions (prometheus): "
                + "2 hypotheses remain untested");
    }
}
