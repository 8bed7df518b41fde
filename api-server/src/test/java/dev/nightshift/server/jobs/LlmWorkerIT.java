package dev.nightshift.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.nightshift.server.ApiClient;
import dev.nightshift.server.PrometheusServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker with an LLM, end to end on the local runtime: a scripted OpenAI-compatible server
 * (canned tool-call completions over real HTTP, in the wire format of the chat-completions API)
 * drives the real worker, which questions a real Prometheus; the events arrive in order over SSE
 * and the investigation succeeds with its result and cost ledger.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LlmWorkerIT {

    private static final String TOKEN = "llm-worker-admin";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ROOT_CAUSE = "The checkout backend is down: its scrape target does not answer";
    /** The assistant's turns: each one or more tool calls, as the model would make them. */
    private static final List<List<Map<String, Object>>> SCRIPT = List.of(
            List.of(Map.of("name", "propose_hypothesis", "arguments", Map.of("statement",
                    "The checkout backend is down", "domain", "application", "confidence", 0.5))),
            List.of(Map.of("name", "prometheus_query", "arguments", Map.of("query", "{__name__=~\"prometheus_.+\"}",
                    "hypothesisId", "h1"))),
            List.of(Map.of("name", "prometheus_query", "arguments", Map.of("query", "up{job=\"checkout\"} == 0",
                    "hypothesisId", "h1"))),
            List.of(Map.of("name", "update_hypothesis", "arguments", Map.of("id", "h1", "status", "confirmed",
                    "confidence", 0.9))),
            List.of(Map.of("name", "propose_action", "arguments", Map.of("kind", "rollout-restart",
                            "namespace", "shop", "name", "checkout", "rationale", "its scrape target does not answer")),
                    Map.of("name", "conclude", "arguments", Map.of("rootCause", ROOT_CAUSE,
                            "rootCauseCategory", "availability/target-down", "remediationClass", "restart",
                            "confidence", 0.9, "suggestedRemediation", "Restart checkout and find why it stopped"))));

    private static PrometheusServer prometheus;
    private static HttpServer llm;
    private static final List<JsonNode> REQUESTS = new CopyOnWriteArrayList<>();
    private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    private static final AtomicInteger TURN = new AtomicInteger();

    @BeforeAll
    static void servers() throws Exception {
        prometheus = PrometheusServer.start();
        llm = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        llm.createContext("/v1/chat/completions", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            REQUESTS.add(request);
            AUTHORIZATIONS.add(exchange.getRequestHeaders().getFirst("Authorization"));
            int turn = TURN.getAndIncrement();
            List<Map<String, Object>> calls = SCRIPT.get(Math.min(turn, SCRIPT.size() - 1));
            List<Map<String, Object>> toolCalls = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                toolCalls.add(Map.of("id", "call_" + turn + "_" + i, "type", "function", "function", Map.of(
                        "name", calls.get(i).get("name"),
                        "arguments", JSON.writeValueAsString(calls.get(i).get("arguments")))));
            }
            Map<String, Object> completion = Map.of(
                    "id", "chatcmpl-" + turn, "object", "chat.completion", "created", 1_790_000_000 + turn,
                    "model", request.path("model").asString(),
                    "choices", List.of(Map.of("index", 0, "finish_reason", "tool_calls",
                            "message", Map.of("role", "assistant", "tool_calls", toolCalls))),
                    "usage", Map.of("prompt_tokens", 1000 + 100 * turn, "completion_tokens", 50,
                            "total_tokens", 1050 + 100 * turn));
            byte[] body = JSON.writeValueAsBytes(completion);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        llm.start();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (llm != null) {
            llm.stop(0);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-llm-worker-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.datasources.clusters.default.prometheus.url", () -> prometheus.url());
        registry.add("nightshift.llm.base-url", () -> "http://127.0.0.1:" + llm.getAddress().getPort() + "/v1");
        registry.add("nightshift.llm.model", () -> "scripted-model");
        registry.add("nightshift.llm.api-key", () -> "sk-scripted");
        registry.add("nightshift.llm.prices.scripted-model.input", () -> "2.00");
        registry.add("nightshift.llm.prices.scripted-model.output", () -> "8.00");
        registry.add("nightshift.worker.tool-result-bytes", () -> "2048");
    }

    @LocalServerPort
    private int port;

    @Test
    void shouldInvestigateWithTheLlmAgainstPrometheusAndSucceedWithItsLedger() throws Exception {
        ApiClient api = new ApiClient(port);
        String id = api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title", "checkout is down",
                        "problem", "Requests to checkout fail since 02:10. DSN postgres://checkout:S3cr3tPass@db:5432/"
                                + "orders; paged ops.lead@example.com.", "domains", List.of("application"),
                        "severity", "critical", "labels", Map.of("alertname", "CheckoutDown",
                                "runbook_token", "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB")))
                .send().json().path("id").asString();

        // Follows the stream from the start; it ends after the terminal state's event.
        List<String> streamed = sse(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/investigations/" + id).bearer(TOKEN).send()
                .json().path("status").asString().equals("SUCCEEDED"));
        JsonNode done = api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json();

        assertThat(streamed.getLast()).isEqualTo("STATE_CHANGED");
        assertThat(streamed.stream().filter(t -> !t.equals("STATE_CHANGED") && !t.equals("ATTEMPT_REGISTERED")).toList())
                .containsExactly("STARTED", "LLM_CALLED", "HYPOTHESIS_PROPOSED", "LLM_CALLED", "TOOL_CALLED",
                        "EVIDENCE_COLLECTED", "LLM_CALLED", "TOOL_CALLED", "EVIDENCE_COLLECTED", "LLM_CALLED",
                        "HYPOTHESIS_UPDATED", "LLM_CALLED", "ACTION_PROPOSED", "ACTION_DECIDED", "CONCLUDED");
        JsonNode transitions = done.path("transitions");
        assertThat(transitions.get(transitions.size() - 1).path("reason").asString()).isEqualTo(ROOT_CAUSE);

        JsonNode cost = done.path("cost");
        assertThat(cost.path("llmCalls").asInt()).isEqualTo(5);
        assertThat(cost.path("inputTokens").asLong()).isEqualTo(1000 + 1100 + 1200 + 1300 + 1400);
        assertThat(cost.path("outputTokens").asLong()).isEqualTo(250);
        // 6,000 input tokens at $2/M and 250 output at $8/M.
        assertThat(cost.path("llmCost").decimalValue()).isEqualByComparingTo("0.014");
        assertThat(cost.path("reasoningCycles").asInt()).isEqualTo(5);

        List<JsonNode> toolCalls = events(api, id, "TOOL_CALLED");
        assertThat(toolCalls.get(0).path("truncated").asBoolean()).as("hundreds of series in a 2 KiB budget").isTrue();
        assertThat(toolCalls.get(1).path("items").asInt()).isEqualTo(1);
        assertThat(events(api, id, "EVIDENCE_COLLECTED").get(1).path("verdict").asString()).isEqualTo("supports");
        JsonNode concluded = events(api, id, "CONCLUDED").getFirst();
        assertThat(concluded.path("rootCauseCategory").asString()).isEqualTo("availability/target-down");
        assertThat(concluded.path("reasoner").asString()).isEqualTo("llm");
        JsonNode actions = api.get("/api/v1/actions?investigationId=" + id).bearer(TOKEN).send().json().path("items");
        assertThat(actions).as("the model's proposal, and no second one of the worker's own").hasSize(1);
        assertThat(actions.get(0).path("kind").asString()).isEqualTo("rollout-restart");
        assertThat(actions.get(0).path("status").asString()).as("shadow: recorded only").isEqualTo("RECORDED");
        assertThat(actions.get(0).path("proposedBy").asString()).isEqualTo("worker:" + id);
        assertThat(actions.get(0).path("rationale").asString()).isEqualTo("its scrape target does not answer");

        // What the model was sent: the problem, the tools by OpenAI-legal names, the results, the key.
        assertThat(AUTHORIZATIONS).allMatch("Bearer sk-scripted"::equals);
        JsonNode first = REQUESTS.getFirst();
        assertThat(first.path("model").asString()).isEqualTo("scripted-model");
        assertThat(first.path("messages").get(1).path("content").asString()).contains("Requests to checkout fail")
                .contains("alertname=CheckoutDown")
                .as("nothing secret or personal reaches the model")
                .contains("postgres://checkout:[REDACTED]@db:5432/orders", "runbook_token=[REDACTED]")
                .doesNotContain("S3cr3tPass", "ops.lead@example.com", "ghp_1234567890");
        assertThat(REQUESTS.toString()).doesNotContain("S3cr3tPass", "sk-scripted");
        assertThat(first.path("tools").valueStream().map(t -> t.path("function").path("name").asString()).toList())
                .contains("prometheus_query", "prometheus_query_range", "propose_hypothesis", "propose_action",
                        "conclude", "escalate");
        JsonNode last = REQUESTS.getLast().path("messages");
        String answered = last.valueStream().filter(m -> m.path("role").asString().equals("tool"))
                .map(m -> m.path("content").asString()).toList().get(2);
        assertThat(answered).contains("job=\"checkout\"");

        // The investigation as Prometheus sees it: recorded by the server from the lifecycle and the events.
        String metrics = api.get("/actuator/prometheus").bearer(TOKEN).header("Accept", "text/plain").send().body();
        assertThat(sample(metrics, "nightshift_investigations_started_total", "tier=\"simple\"", "phase=\"shadow\"",
                "domain=\"application\"", "source=\"api\"")).isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "nightshift_investigations_completed_total", "outcome=\"succeeded\"",
                "tier=\"simple\"")).isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "nightshift_investigation_duration_seconds_count", "outcome=\"succeeded\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(metrics).contains("nightshift_investigation_duration_seconds_bucket{");
        assertThat(sample(metrics, "nightshift_queue_wait_seconds_count", "tier=\"simple\"")).isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "nightshift_jobs_create_seconds_count", "runtime=\"local-runtime\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "nightshift_reasoning_cycles_count", "outcome=\"concluded\"")).isEqualTo(1);
        assertThat(sample(metrics, "nightshift_reasoning_cycles_sum", "outcome=\"concluded\"")).isEqualTo(5);
        assertThat(sample(metrics, "nightshift_llm_calls_total", "model=\"scripted-model\"")).isEqualTo(5);
        assertThat(sample(metrics, "nightshift_llm_tokens_total", "direction=\"in\"")).isEqualTo(6000);
        assertThat(sample(metrics, "nightshift_llm_tokens_total", "direction=\"out\"")).isEqualTo(250);
        assertThat(sample(metrics, "nightshift_llm_cost_total", "model=\"scripted-model\"")).isCloseTo(0.014,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(sample(metrics, "nightshift_tool_calls_seconds_count", "tool=\"prometheus.query\"",
                "ok=\"true\"")).isEqualTo(2);
        assertThat(metrics).contains("nightshift_sse_clients ", "nightshift_queue_depth ", "nightshift_runs_active ",
                "nightshift_approvals_pending ");
        assertThat(metrics).as("Kafka consumer lag of the worker-event listener")
                .contains("kafka_consumer_fetch_manager_records_lag_max{");
    }

    /** The value of the one sample of a metric whose labels include all given ones. */
    static double sample(String exposition, String name, String... labels) {
        List<Double> values = exposition.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
        assertThat(values).as(name + " " + java.util.Arrays.toString(labels)).hasSize(1);
        return values.getFirst();
    }

    private List<JsonNode> events(ApiClient api, String id, String type) {
        List<JsonNode> payloads = new ArrayList<>();
        api.get("/api/v1/investigations/" + id + "/events?limit=1000").bearer(TOKEN).header("Accept", "application/json")
                .send().json().path("items").forEach(e -> {
                    if (e.path("type").asString().equals(type)) {
                        payloads.add(e.path("payload"));
                    }
                });
        return payloads;
    }

    /** The event types of the whole stream, in order, read until the server ends it. */
    private List<String> sse(String id) throws IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/investigations/" + id + "/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().filter(line -> line.startsWith("event:")).map(line -> line.substring(6)).toList();
    }
}
