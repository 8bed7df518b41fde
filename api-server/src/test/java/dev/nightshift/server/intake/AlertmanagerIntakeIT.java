package dev.nightshift.server.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.nightshift.server.AlertmanagerServer;
import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import dev.nightshift.server.PrometheusServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Alertmanager's webhook, fed by the real Alertmanager (and once by a real Prometheus rule). */
class AlertmanagerIntakeIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PATH = "/api/v1/alerts/alertmanager";

    @LocalServerPort
    private int port;

    private String webhook() {
        return "http://127.0.0.1:" + port + PATH;
    }

    private static String alerts(String alertname, Map<String, String> extra, Instant endsAt, String... instances) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (String instance : instances) {
            Map<String, String> labels = new java.util.TreeMap<>(Map.of("alertname", alertname, "instance", instance,
                    "severity", "page", "namespace", "shop", "deployment", "checkout"));
            labels.putAll(extra);
            Map<String, Object> alert = new java.util.HashMap<>(Map.of("labels", labels,
                    "annotations", Map.of("summary", "checkout is failing", "description", instance + " returns 503"),
                    "startsAt", "2026-11-22T02:10:00Z", "generatorURL", "http://prometheus/graph"));
            if (endsAt != null) {
                alert.put("endsAt", endsAt.toString());
            }
            alerts.add(alert);
        }
        return JSON.writeValueAsString(alerts);
    }

    private List<JsonNode> investigationsWithLabel(String alertname) {
        return api.get("/api/v1/investigations?label=alertname=" + alertname).bearer(VIEWER).send().json().path("items")
                .valueStream().toList();
    }

    private List<String> serverEvents(String investigationId, String type) {
        return api.get("/api/v1/investigations/" + investigationId + "/events?limit=1000").bearer(VIEWER)
                .header("Accept", "application/json").send().json().path("items").valueStream()
                .filter(e -> e.path("type").asString().equals(type)).map(e -> e.path("payload").toString()).toList();
    }

    @Test
    void shouldTurnAGroupOfFiringAlertsIntoOneInvestigationAndRecordTheResolve() throws Exception {
        String name = "CheckoutErrors" + UUID.randomUUID().toString().substring(0, 8);
        try (AlertmanagerServer alertmanager = AlertmanagerServer.start(webhook(), INTAKE)) {
            alertmanager.post(alerts(name, Map.of(), null, "checkout-1:8080", "checkout-2:8080"));
            await().atMost(Duration.ofSeconds(30)).until(() -> investigationsWithLabel(name).size() == 1
                    && serverEvents(investigationsWithLabel(name).getFirst().path("id").asString(), "ALERT_ATTACHED")
                            .size() == 2);
            JsonNode investigation = investigationsWithLabel(name).getFirst();
            assertThat(investigation.path("source").asString()).isEqualTo("alertmanager");
            assertThat(investigation.path("severity").asString()).as("'page' maps to critical").isEqualTo("critical");
            assertThat(investigation.path("title").asString()).isEqualTo(name + ": checkout is failing");
            assertThat(investigation.path("problem").asString()).contains("checkout-2:8080 returns 503");
            assertThat(investigation.path("target").path("namespace").asString()).isEqualTo("shop");
            assertThat(investigation.path("target").path("workload").asString()).isEqualTo("deployment/checkout");
            assertThat(investigation.path("createdBy").asString()).isEqualTo("alertmanager");
            String id = investigation.path("id").asString();

            // A third alert of the same group attaches to the open investigation instead of starting one.
            alertmanager.post(alerts(name, Map.of(), null, "checkout-3:8080"));
            await().atMost(Duration.ofSeconds(30)).until(() -> serverEvents(id, "ALERT_ATTACHED").size() == 3);
            assertThat(investigationsWithLabel(name)).hasSize(1);

            alertmanager.post(alerts(name, Map.of(), Instant.now().minusSeconds(1), "checkout-1:8080",
                    "checkout-2:8080", "checkout-3:8080"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !serverEvents(id, "INCIDENT_RESOLVED").isEmpty());
            assertThat(jdbc.sql("SELECT count(*) FROM alerts a JOIN incidents i ON i.id = a.incident_id "
                            + "WHERE i.investigation_id = ? AND a.status = 'resolved'").param(UUID.fromString(id))
                    .query(Long.class).single()).isEqualTo(3);
            assertThat(serverEvents(id, "INCIDENT_RESOLVED").getFirst()).contains("\"policy\":\"finish\"");
        }
    }

    @Test
    void shouldStartExactlyOneInvestigationWhenAlertmanagerRetriesAfterA503() throws Exception {
        String name = "CheckoutRetry" + UUID.randomUUID().toString().substring(0, 8);
        // In front of Nightshift: the first delivery is committed, but its answer is lost as a 503.
        AtomicInteger deliveries = new AtomicInteger();
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        HttpClient http = HttpClient.newHttpClient();
        proxy.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(webhook()))
                        .header("Content-Type", "application/json")
                        .header("Authorization", exchange.getRequestHeaders().getFirst("Authorization"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                int status = deliveries.incrementAndGet() == 1 ? 503 : response.statusCode();
                exchange.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
            }
            exchange.close();
        });
        proxy.start();
        try (AlertmanagerServer alertmanager = AlertmanagerServer.start(
                "http://127.0.0.1:" + proxy.getAddress().getPort() + PATH, INTAKE)) {
            alertmanager.post(alerts(name, Map.of(), null, "checkout-1:8080"));
            await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.get() >= 2);
            assertThat(investigationsWithLabel(name)).hasSize(1);
            assertThat(serverEvents(investigationsWithLabel(name).getFirst().path("id").asString(), "ALERT_ATTACHED"))
                    .hasSize(1);
        } finally {
            proxy.stop(0);
        }
    }

    @Test
    void shouldCarryARealPrometheusRuleThroughAlertmanagerToAnInvestigation() throws Exception {
        try (AlertmanagerServer alertmanager = AlertmanagerServer.start(webhook(), INTAKE);
                PrometheusServer prometheus = PrometheusServer.start(alertmanager.address())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !investigationsWithLabel("CheckoutDown").isEmpty());
            JsonNode investigation = investigationsWithLabel("CheckoutDown").getFirst();
            assertThat(investigation.path("source").asString()).isEqualTo("alertmanager");
            assertThat(investigation.path("labels").path("job").asString()).isEqualTo("checkout");
            assertThat(investigation.path("status").asString()).isEqualTo("QUEUED");
        }
    }

    private String payload(String groupKey, String alertname, String fingerprint) {
        return JSON.writeValueAsString(Map.of("version", "4", "receiver", "nightshift", "status", "firing",
                "groupKey", groupKey, "groupLabels", Map.of("alertname", alertname),
                "commonLabels", Map.of("alertname", alertname, "severity", "critical"), "commonAnnotations", Map.of(),
                "externalURL", "http://alertmanager", "truncatedAlerts", 0,
                "alerts", List.of(Map.of("status", "firing", "labels", Map.of("alertname", alertname,
                                "severity", "critical"), "annotations", Map.of(), "startsAt", "2026-11-22T02:10:00Z",
                        "endsAt", "0001-01-01T00:00:00Z", "generatorURL", "", "fingerprint", fingerprint))));
    }

    @Test
    void shouldMakeOneInvestigationOfTheSamePayloadFromTwoPeersThreeTimesConcurrently() throws Exception {
        String name = "Replayed" + UUID.randomUUID().toString().substring(0, 8);
        String body = payload("{}:{alertname=\"" + name + "\"}", name, UUID.randomUUID().toString().substring(0, 16));
        List<Callable<Integer>> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // two HA peers, three deliveries each
            senders.add(() -> new ApiClient(port).post(PATH).bearer(INTAKE).body("application/json", body).send().status());
        }
        try (var pool = Executors.newFixedThreadPool(6)) {
            for (var result : pool.invokeAll(senders)) {
                assertThat(result.get()).isEqualTo(200);
            }
        }
        assertThat(investigationsWithLabel(name)).hasSize(1);
        assertThat(jdbc.sql("SELECT count(*) FROM incidents WHERE incident_key = ?")
                .param("group:{}:{alertname=\"" + name + "\"}").query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void shouldStoreEveryAlertOfAStormButAttachOnlyTheFirstHundred() {
        String name = "Storm" + UUID.randomUUID().toString().substring(0, 8);
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            alerts.add(Map.of("status", "firing", "labels", Map.of("alertname", name, "pod", "p-" + i),
                    "startsAt", "2026-11-22T02:10:00Z", "fingerprint", name + "-" + i));
        }
        ApiClient.Response response = api.post(PATH).bearer(INTAKE).body("application/json", JSON.writeValueAsString(
                Map.of("version", "4", "status", "firing", "groupKey", "storm-" + name, "receiver", "nightshift",
                        "commonLabels", Map.of("alertname", name), "alerts", alerts))).send();
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().path("alertsNew").asInt()).isEqualTo(150);
        String id = response.json().path("investigationId").asString();
        assertThat(serverEvents(id, "ALERT_ATTACHED")).hasSize(100);
        assertThat(jdbc.sql("SELECT count(*) FROM alerts WHERE incident_id = ?")
                .param(UUID.fromString(response.json().path("incidentId").asString())).query(Long.class).single())
                .isEqualTo(150);
    }

    @Test
    void shouldRefuseWhatIsNotAnAlertmanagerPayloadAndStoreNothing() {
        long incidents = jdbc.sql("SELECT count(*) FROM incidents").query(Long.class).single();
        long investigations = investigationCount();
        ApiClient.Response notJson = api.post(PATH).bearer(INTAKE).body("application/json", "{not json").send();
        assertThat(notJson.status()).isEqualTo(400);
        ApiClient.Response other = api.post(PATH).bearer(INTAKE).body("application/json", "{\"hello\":\"world\"}").send();
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.json().path("type").asString()).endsWith("/invalid-alert-payload");
        assertThat(other.errorFields()).contains("version", "groupKey", "status", "alerts");
        String wrongVersion = payload("k", "A", "f1").replace("\"version\":\"4\"", "\"version\":\"3\"");
        assertThat(api.post(PATH).bearer(INTAKE).body("application/json", wrongVersion).send().errorFields())
                .containsExactly("version");
        var noStartTree = (tools.jackson.databind.node.ObjectNode) JSON.readTree(payload("k", "A", "f1"));
        ((tools.jackson.databind.node.ObjectNode) noStartTree.path("alerts").get(0)).remove("startsAt");
        String noStart = JSON.writeValueAsString(noStartTree);
        assertThat(api.post(PATH).bearer(INTAKE).body("application/json", noStart).send().errorFields())
                .containsExactly("alerts[0].startsAt");
        String huge = payload("k", "A", "f1").replace("\"receiver\":\"nightshift\"",
                "\"receiver\":\"" + "x".repeat(11 * 1024 * 1024) + "\"");
        assertThat(api.post(PATH).bearer(INTAKE).body("application/json", huge).send().status()).isEqualTo(413);
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            many.add(Map.of("status", "firing", "labels", Map.of("alertname", "Many", "i", "" + i),
                    "startsAt", "2026-11-22T02:10:00Z"));
        }
        String tooMany = JSON.writeValueAsString(Map.of("version", "4", "status", "firing", "groupKey", "many",
                "alerts", many));
        ApiClient.Response refused = api.post(PATH).bearer(INTAKE).body("application/json", tooMany).send();
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().path("errors").get(0).path("message").asString()).contains("at most 10000");

        assertThat(jdbc.sql("SELECT count(*) FROM incidents").query(Long.class).single()).isEqualTo(incidents);
        assertThat(investigationCount()).isEqualTo(investigations);
    }

    @Test
    void shouldLetTheIntakeRoleDeliverAlertsAndNothingElse() {
        assertThat(api.get("/api/v1/investigations").bearer(INTAKE).send().status()).isEqualTo(403);
        assertThat(api.post("/api/v1/investigations").bearer(INTAKE).json(Map.of()).send().status()).isEqualTo(403);
        assertThat(api.post(PATH).bearer(VIEWER).body("application/json", payload("k", "A", "f1")).send().status())
                .isEqualTo(403);
        assertThat(api.post(PATH).body("application/json", payload("k", "A", "f1")).send().status()).isEqualTo(401);
        // Basic auth, as Alertmanager's http_config can also send.
        String name = "Basic" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post(PATH).basic("alertmanager", INTAKE).body("application/json",
                payload("basic-" + name, name, "b-" + name)).send().status()).isEqualTo(200);
        assertThat(investigationsWithLabel(name)).hasSize(1);
    }
}
