package dev.nightshift.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.PrometheusServer;
import dev.nightshift.server.ZipkinServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One trace per investigation, in a real Zipkin server: the API request that created it, the
 * launch, and the worker's run with a span per reasoning cycle and per tool call, linked parent to
 * child across the server and the worker process.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TracingIT {

    private static final String TOKEN = "tracing-admin-token";
    private static ZipkinServer zipkin;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void servers() throws Exception {
        zipkin = ZipkinServer.start();
        prometheus = PrometheusServer.start();
    }

    @AfterAll
    static void stop() {
        if (zipkin != null) {
            zipkin.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-tracing-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.tracing.zipkin-endpoint", () -> zipkin.url() + "/api/v2/spans");
        registry.add("nightshift.datasources.clusters.default.prometheus.url", () -> prometheus.url());
    }

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient jdbc;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private List<JsonNode> trace(String traceId) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(zipkin.url() + "/api/v2/trace/"
                + traceId)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? json.readTree(response.body()).valueStream().toList() : List.of();
    }

    private static Optional<JsonNode> span(List<JsonNode> spans, String service, String namePrefix) {
        return spans.stream().filter(s -> s.path("localEndpoint").path("serviceName").asString().equals(service)
                && s.path("name").asString().startsWith(namePrefix)).findFirst();
    }

    /** The IDs of a span's parents, nearest first, as far as the trace holds them. */
    private static List<String> ancestors(List<JsonNode> spans, JsonNode span) {
        List<String> ids = new java.util.ArrayList<>();
        String parent = span.path("parentId").asString(null);
        while (parent != null && !ids.contains(parent)) {
            ids.add(parent);
            String id = parent;
            parent = spans.stream().filter(s -> s.path("id").asString().equals(id)).findFirst()
                    .map(s -> s.path("parentId").asString(null)).orElse(null);
        }
        return ids;
    }

    @Test
    void shouldLinkTheApiRequestTheLaunchAndTheWorkersCyclesAndToolCallsInOneTrace() throws Exception {
        ApiClient api = new ApiClient(port);
        UUID id = UUID.fromString(api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title",
                "checkout is down", "problem", "Requests to checkout fail since 02:10.", "domains",
                List.of("application"), "severity", "critical")).send().json().path("id").asString());
        await().atMost(Duration.ofSeconds(90)).until(() -> api.get("/api/v1/investigations/" + id).bearer(TOKEN).send()
                .json().path("status").asString().equals("SUCCEEDED"));

        String traceparent = jdbc.sql("SELECT traceparent FROM investigations WHERE id = ?").param(id)
                .query(String.class).single();
        assertThat(traceparent).as("the creating request's trace is kept").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        String traceId = traceparent.split("-")[1];

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<JsonNode> spans = trace(traceId);
            return span(spans, "nightshift-worker", "tool ").isPresent()
                    && span(spans, "nightshift-api-server", "investigation.launch").isPresent()
                    && span(spans, "nightshift-worker", "investigation").isPresent();
        });
        List<JsonNode> spans = trace(traceId);
        JsonNode request = spans.stream().filter(s -> s.path("localEndpoint").path("serviceName").asString()
                .equals("nightshift-api-server") && s.path("kind").asString().equals("SERVER")).findFirst().orElseThrow();
        JsonNode launch = span(spans, "nightshift-api-server", "investigation.launch").orElseThrow();
        JsonNode run = span(spans, "nightshift-worker", "investigation").orElseThrow();
        JsonNode cycle = span(spans, "nightshift-worker", "reasoning.cycle 1").orElseThrow();
        JsonNode tool = span(spans, "nightshift-worker", "tool prometheus.query").orElseThrow();

        assertThat(request.path("name").asString()).contains("post");
        assertThat(ancestors(spans, launch)).as("the launch continues the request (under its server span)")
                .contains(request.path("id").asString());
        assertThat(run.path("parentId").asString()).as("the worker continues the launch")
                .isEqualTo(launch.path("id").asString());
        assertThat(run.path("tags").path("investigation.id").asString()).isEqualTo(id.toString());
        assertThat(cycle.path("parentId").asString()).isEqualTo(run.path("id").asString());
        assertThat(tool.path("parentId").asString()).as("a tool call belongs to its cycle")
                .isIn(spans.stream().filter(s -> s.path("name").asString().startsWith("reasoning.cycle"))
                        .map(s -> s.path("id").asString()).toList());
        assertThat(tool.path("tags").path("tool.latency_ms").asString()).isNotEmpty();
        assertThat(spans.stream().filter(s -> s.path("name").asString().startsWith("reasoning.cycle")))
                .as("a span per reasoning cycle").hasSize(2);
        assertThat(spans.stream().filter(s -> s.path("name").asString().startsWith("reasoning.cycle"))
                .anyMatch(s -> s.path("tags").has("decision.confidence"))).isTrue();
    }
}
