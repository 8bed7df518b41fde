package dev.nightshift.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.contract.EventEnvelope;
import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import dev.nightshift.server.events.WorkerEventIngest;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Registration, the WORKER principal's limits, and the cost ledger (sources and LLM: see IntegrationTest). */
class WorkerRegistrationIT extends IntegrationTest {

    @Autowired
    private WorkerTokens tokens;

    @Autowired
    private InvestigationService investigations;

    @Autowired
    private WorkerEventIngest ingest;

    private UUID launching(Map<String, Object> target) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("title", "checkout slow", "problem",
                "p99 latency of checkout rose", "domains", List.of("application"), "severity", "critical"));
        if (target != null) {
            body.put("target", target);
        }
        UUID id = UUID.fromString(api.post("/api/v1/investigations").bearer(OPERATOR).json(body).send().json()
                .path("id").asString());
        investigations.report(id, InvestigationStatus.LAUNCHING, "test-runtime", "claimed");
        return id;
    }

    @Test
    void shouldRegisterNumberedAttemptsWithTheirClustersSourcesTheLlmAndBudgets() {
        UUID id = launching(Map.of("cluster", "eu-1", "namespace", "shop"));
        String token = tokens.mint(id);

        ApiClient.Response first = api.post("/api/v1/investigations/" + id + "/attempts").bearer(token).send();
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.header("Cache-Control")).contains("no-store");
        JsonNode registration = first.json();
        assertThat(registration.path("attempt").asInt()).isEqualTo(1);
        assertThat(registration.path("investigation").path("id").asString()).isEqualTo(id.toString());
        assertThat(registration.path("reasoner").asString()).isEqualTo("llm");
        assertThat(registration.path("datasources").valueStream().map(s -> s.path("kind").asString() + "=" + s.path("url")
                .asString()).toList())
                .containsExactly("prometheus=http://prometheus.eu-1:9090", "loki=http://loki.eu-1:3100");
        assertThat(registration.path("datasources").get(0).path("authType").asString()).isEqualTo("BEARER");
        assertThat(registration.path("datasources").get(0).path("token").asString()).isEqualTo("prom-secret");
        assertThat(registration.path("llm").path("apiKey").asString()).isEqualTo("sk-llm-secret");
        assertThat(registration.path("llm").path("inputPricePerMillion").decimalValue()).isEqualByComparingTo("2.50");
        JsonNode budgets = registration.path("budgets");
        assertThat(budgets.path("cycleLimit").asInt()).as("single-domain tier").isEqualTo(8);
        assertThat(budgets.path("p95Cycles").isNull()).as("no successful history yet").isTrue();
        assertThat(Instant.parse(budgets.path("deadline").asString()))
                .isBefore(Instant.now().plusSeconds(900)).isAfter(Instant.now().plusSeconds(800));
        assertThat(budgets.path("toolTimeoutMillis").asLong()).isEqualTo(15_000);

        ApiClient.Response second = api.post("/api/v1/investigations/" + id + "/attempts").bearer(token).send();
        assertThat(second.json().path("attempt").asInt()).as("a retried pod is the next attempt").isEqualTo(2);
        JsonNode events = api.get("/api/v1/investigations/" + id + "/events").bearer(token)
                .header("Accept", "application/json").send().json();
        assertThat(events.path("items").valueStream().filter(e -> e.path("type").asString().equals("ATTEMPT_REGISTERED"))
                .map(e -> e.path("payload").path("attempt").asInt()).toList()).containsExactly(1, 2);
    }

    @Test
    void shouldHandTheDefaultClustersSourcesWhenTheTargetNamesNone() {
        UUID id = launching(null);
        JsonNode registration = api.post("/api/v1/investigations/" + id + "/attempts").bearer(tokens.mint(id)).send()
                .json();
        assertThat(registration.path("datasources").valueStream().map(s -> s.path("url").asString()).toList())
                .containsExactly("http://prometheus.default:9090");
    }

    @Test
    void shouldLetAWorkerTokenDoNothingButItsOwnInvestigationsWork() {
        UUID own = launching(null);
        UUID other = launching(null);
        String token = tokens.mint(own);

        assertThat(api.get("/api/v1/investigations/" + own).bearer(token).send().status()).isEqualTo(200);
        assertThat(api.get("/api/v1/investigations/" + own + "/events").bearer(token)
                .header("Accept", "application/json").send().status()).isEqualTo(200);
        ApiClient.Response foreign = api.get("/api/v1/investigations/" + other).bearer(token).send();
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().path("type").asString()).endsWith("/forbidden");
        assertThat(api.get("/api/v1/investigations/" + other + "/events").bearer(token)
                .header("Accept", "application/json").send().status()).isEqualTo(403);
        assertThat(api.post("/api/v1/investigations/" + other + "/attempts").bearer(token).send().status())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/investigations").bearer(token).send().status()).isEqualTo(403);
        assertThat(api.get("/api/v1/investigations/" + own + "/logs").bearer(token).send().status()).isEqualTo(403);
        assertThat(api.get("/api/v1/reports/cost").bearer(token).send().status()).isEqualTo(403);
        assertThat(api.post("/api/v1/investigations/" + own + "/cancel").bearer(token).json(Map.of()).send().status())
                .isEqualTo(403);
        assertThat(api.post("/api/v1/investigations").bearer(token).json(Map.of()).send().status()).isEqualTo(403);
        assertThat(api.get("/actuator/metrics").bearer(token).send().status()).isEqualTo(403);
        // An operator cannot pose as a worker.
        assertThat(api.post("/api/v1/investigations/" + own + "/attempts").bearer(ADMIN).send().status())
                .isEqualTo(403);

        api.post("/api/v1/investigations/" + own + "/cancel").bearer(OPERATOR).json(Map.of()).send();
        ApiClient.Response after = api.get("/api/v1/investigations/" + own).bearer(token).send();
        assertThat(after.status()).as("a token dies with its investigation").isEqualTo(401);
        assertThat(api.get("/api/v1/investigations/" + own).bearer("nsw_forged").send().status()).isEqualTo(401);
    }

    @Test
    void shouldKeepTheCostLedgerFromLlmEventsAndTheRunsTimeAndReportIt() {
        UUID id = launching(null);
        investigations.report(id, InvestigationStatus.RUNNING, "test-runtime", "started");
        ingest.ingest(List.of(
                new EventEnvelope(UUID.randomUUID(), id, 1, 0, "LLM_CALLED", Instant.now(), null,
                        Map.of("model", "gpt-test", "inputTokens", 1200, "outputTokens", 300, "latencyMs", 800,
                                "costUsd", 0.006)).toJson(),
                new EventEnvelope(UUID.randomUUID(), id, 1, 1, "LLM_CALLED", Instant.now(), null,
                        Map.of("model", "gpt-test", "inputTokens", 800, "outputTokens", 200, "latencyMs", 700,
                                "costUsd", 0.004)).toJson(),
                new EventEnvelope(UUID.randomUUID(), id, 1, 2, "CONCLUDED", Instant.now(), null,
                        Map.of("rootCause", "connection pool exhausted", "cycles", 3)).toJson()));

        JsonNode cost = api.get("/api/v1/investigations/" + id).bearer(VIEWER).send().json().path("cost");
        assertThat(cost.path("llmCalls").asInt()).isEqualTo(2);
        assertThat(cost.path("inputTokens").asLong()).isEqualTo(2000);
        assertThat(cost.path("outputTokens").asLong()).isEqualTo(500);
        assertThat(cost.path("llmCost").decimalValue()).isEqualByComparingTo("0.010");
        assertThat(cost.path("reasoningCycles").asInt()).isEqualTo(3);
        assertThat(cost.path("computeSeconds").decimalValue()).isNotNegative();
        assertThat(cost.path("total").decimalValue())
                .isEqualByComparingTo(cost.path("llmCost").decimalValue().add(cost.path("computeCost").decimalValue()));

        ApiClient.Response report = api.get("/api/v1/reports/cost").bearer(VIEWER).send();
        assertThat(report.status()).as(report.body()).isEqualTo(200);
        JsonNode json = report.json();
        assertThat(json.path("total").path("llmCalls").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(json.path("byTier").valueStream().map(t -> t.path("key").asString()).toList()).contains("simple");
        assertThat(json.path("byDomain").valueStream().map(t -> t.path("key").asString()).toList()).contains("application");
        assertThat(json.path("bySource").valueStream().map(t -> t.path("key").asString()).toList()).contains("api");
        assertThat(json.path("top10PercentShare").asDouble()).isBetween(0.0, 1.0).isPositive();
        JsonNode top = json.path("top");
        assertThat(top.size()).isBetween(1, 10);
        assertThat(top.valueStream().map(t -> t.path("id").asString()).toList()).contains(id.toString());
        assertThat(top.valueStream().map(t -> t.path("total").decimalValue()).toList())
                .as("costliest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());

        assertThat(api.get("/api/v1/reports/cost?from=yesterday").bearer(VIEWER).send().status()).isEqualTo(400);
        ApiClient.Response reversed = api.get("/api/v1/reports/cost?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z")
                .bearer(VIEWER).send();
        assertThat(reversed.status()).isEqualTo(400);
        assertThat(reversed.errorFields()).contains("to");
    }
}
