package dev.nightshift.server.investigation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class InvestigationApiIT extends IntegrationTest {

    private static final String INVESTIGATIONS = "/api/v1/investigations";

    private static Map<String, Object> request(String run) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "Checkout latency above SLO");
        body.put("problem", "p99 latency of checkout rose to 4 s; errors mention database timeouts.");
        body.put("domains", List.of("application", "database"));
        body.put("severity", "critical");
        body.put("labels", Map.of("team", "payments", "run", run));
        body.put("target", Map.of("cluster", "prod-eu-1", "namespace", "shop", "workload", "deployment/checkout"));
        return body;
    }

    private JsonNode create(Map<String, Object> body) {
        ApiClient.Response response = api.post(INVESTIGATIONS).bearer(OPERATOR).json(body).send();
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldCreateQueuedInvestigationWithDerivedTierAndConfiguredPhase() {
        ApiClient.Response response = api.post(INVESTIGATIONS).bearer(OPERATOR).json(request(run())).send();

        assertThat(response.status()).isEqualTo(201);
        JsonNode body = response.json();
        String id = body.path("id").asString();
        assertThat(UUID.fromString(id).version()).isEqualTo(7);
        assertThat(response.header("Location")).isEqualTo("/api/v1/investigations/" + id);
        assertThat(body.path("status").asString()).isEqualTo("QUEUED");
        assertThat(body.path("trustPhase").asString()).isEqualTo("ASSIST");
        assertThat(body.path("tier").asString()).isEqualTo("multi-domain");
        assertThat(body.path("source").asString()).isEqualTo("api");
        assertThat(body.path("createdBy").asString()).isEqualTo("otto-operator");
        assertThat(body.path("target").path("workload").asString()).isEqualTo("deployment/checkout");
        assertThat(body.path("transitions")).hasSize(1);
        assertThat(body.path("transitions").get(0).path("to").asString()).isEqualTo("QUEUED");
        assertThat(body.path("transitions").get(0).path("actor").asString()).isEqualTo("otto-operator");

        JsonNode read = api.get(INVESTIGATIONS + "/" + id).bearer(VIEWER).send().json();
        assertThat(read).isEqualTo(body);
    }

    @Test
    void shouldPlaceCriticalAheadOfOlderInfoInTheQueue() {
        Map<String, Object> info = request(run());
        info.put("severity", "info");
        String infoId = create(info).path("id").asString();
        JsonNode critical = create(request(run()));
        long infoPosition = api.get(INVESTIGATIONS + "/" + infoId).bearer(VIEWER).send().json().path("queuePosition").asLong();
        assertThat(critical.path("queuePosition").asLong()).isPositive().isLessThan(infoPosition);

        api.post(INVESTIGATIONS + "/" + infoId + "/cancel").bearer(OPERATOR).send();
        assertThat(api.get(INVESTIGATIONS + "/" + infoId).bearer(VIEWER).send().json().path("queuePosition").isNull())
                .isTrue();
    }

    @Test
    void shouldDeriveSimpleTierFromOneDomainAndHonourAnOverride() {
        Map<String, Object> body = request(run());
        body.put("domains", List.of("network"));
        assertThat(create(body).path("tier").asString()).isEqualTo("simple");

        body.put("tier", "multi-domain");
        assertThat(create(body).path("tier").asString()).isEqualTo("multi-domain");
    }

    @Test
    void shouldCancelOnceAndRefuseToCancelAgain() {
        String id = create(request(run())).path("id").asString();

        ApiClient.Response cancelled = api.post(INVESTIGATIONS + "/" + id + "/cancel").bearer(OPERATOR)
                .json(Map.of("reason", "duplicate of another incident")).send();
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().path("status").asString()).isEqualTo("CANCELLED");
        JsonNode last = cancelled.json().path("transitions").get(1);
        assertThat(last.path("from").asString()).isEqualTo("QUEUED");
        assertThat(last.path("to").asString()).isEqualTo("CANCELLED");
        assertThat(last.path("actor").asString()).isEqualTo("otto-operator");
        assertThat(last.path("reason").asString()).isEqualTo("duplicate of another incident");

        ApiClient.Response again = api.post(INVESTIGATIONS + "/" + id + "/cancel").bearer(OPERATOR).send();
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("type").asString())
                .isEqualTo("https://nightshift.dev/problems/invalid-state-transition");
        assertThat(api.get(INVESTIGATIONS + "/" + id).bearer(VIEWER).send().json().path("transitions")).hasSize(2);
    }

    @Test
    void shouldAnswer404ForUnknownAnd400ForMalformedIds() {
        ApiClient.Response missing = api.get(INVESTIGATIONS + "/" + UUID.randomUUID()).bearer(VIEWER).send();
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("type").asString()).isEqualTo("https://nightshift.dev/problems/not-found");

        assertThat(api.post(INVESTIGATIONS + "/" + UUID.randomUUID() + "/cancel").bearer(OPERATOR).send().status())
                .isEqualTo(404);

        ApiClient.Response malformed = api.get(INVESTIGATIONS + "/not-a-uuid").bearer(VIEWER).send();
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorFields()).containsExactly("id");
    }

    @Test
    void shouldReplaySameKeyAndBodyAndRefuseSameKeyWithOtherBody() {
        String key = "retry-" + run();
        Map<String, Object> body = request(run());
        ApiClient.Response first = api.post(INVESTIGATIONS).bearer(OPERATOR).header("Idempotency-Key", key).json(body).send();
        assertThat(first.status()).isEqualTo(201);
        long count = investigationCount();

        // Same body with keys in another order: the same request.
        Map<String, Object> reordered = new LinkedHashMap<>();
        new ArrayList<>(body.keySet()).reversed().forEach(k -> reordered.put(k, body.get(k)));
        ApiClient.Response replay = api.post(INVESTIGATIONS).bearer(OPERATOR).header("Idempotency-Key", key)
                .json(reordered).send();
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().path("id")).isEqualTo(first.json().path("id"));
        assertThat(replay.header("Location")).isEqualTo(first.header("Location"));

        Map<String, Object> other = new LinkedHashMap<>(body);
        other.put("severity", "warning");
        ApiClient.Response conflict = api.post(INVESTIGATIONS).bearer(OPERATOR).header("Idempotency-Key", key)
                .json(other).send();
        assertThat(conflict.status()).isEqualTo(422);
        assertThat(conflict.json().path("type").asString())
                .isEqualTo("https://nightshift.dev/problems/idempotency-key-reused");
        assertThat(investigationCount()).isEqualTo(count);

        // Keys are per principal: the admin's identical key is a new request.
        ApiClient.Response admins = api.post(INVESTIGATIONS).bearer(ADMIN).header("Idempotency-Key", key).json(body).send();
        assertThat(admins.status()).isEqualTo(201);
        assertThat(admins.json().path("id")).isNotEqualTo(first.json().path("id"));
    }

    @Test
    void shouldCreateOnceUnderConcurrentRetriesWithOneKey() throws Exception {
        String key = "storm-" + run();
        Map<String, Object> body = request(run());
        long before = investigationCount();
        List<Thread> threads = new ArrayList<>();
        List<ApiClient.Response> responses = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> responses.add(
                    api.post(INVESTIGATIONS).bearer(OPERATOR).header("Idempotency-Key", key).json(body).send())));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(responses).extracting(ApiClient.Response::status).containsOnly(200, 201).containsOnlyOnce(201);
        assertThat(responses).extracting(r -> r.json().path("id").asString()).containsOnly(
                responses.getFirst().json().path("id").asString());
        assertThat(investigationCount()).isEqualTo(before + 1);
    }

    @Test
    void shouldFilterHistory() throws InterruptedException {
        String run = run();
        Map<String, Object> network = request(run);
        network.put("title", "Packet loss between zones");
        network.put("problem", "Firewall rule change suspected");
        network.put("domains", List.of("network"));
        network.put("severity", "warning");
        String networkId = create(network).path("id").asString();
        Thread.sleep(5); // distinct creation milliseconds, for the time-range assertions
        String appId = create(request(run)).path("id").asString();
        Thread.sleep(5);
        Map<String, Object> info = request(run);
        info.put("severity", "info");
        info.put("labels", Map.of("run", run, "team", "storage-team"));
        String infoId = create(info).path("id").asString();
        api.post(INVESTIGATIONS + "/" + infoId + "/cancel").bearer(OPERATOR).send();

        String scope = INVESTIGATIONS + "?label=run%3D" + run;
        assertThat(ids(scope)).containsExactly(infoId, appId, networkId);
        assertThat(ids(scope + "&severity=warning")).containsExactly(networkId);
        assertThat(ids(scope + "&domain=database")).containsExactly(infoId, appId);
        assertThat(ids(scope + "&status=CANCELLED")).containsExactly(infoId);
        assertThat(ids(scope + "&status=QUEUED")).containsExactly(appId, networkId);
        assertThat(ids(scope + "&trustPhase=ASSIST&source=api")).containsExactly(infoId, appId, networkId);
        assertThat(ids(scope + "&trustPhase=AUTONOMOUS")).isEmpty();
        assertThat(ids(scope + "&label=team%3Dpayments")).containsExactly(appId, networkId);
        assertThat(ids(scope + "&q=FIREWALL")).containsExactly(networkId);
        assertThat(ids(scope + "&q=%22rule+change%22")).containsExactly(networkId);
        assertThat(ids(scope + "&q=database+-firewall")).containsExactly(infoId, appId);
        assertThat(ids(scope + "&q=" + "100%25")).isEmpty();

        Instant networkCreated = Instant.parse(
                api.get(INVESTIGATIONS + "/" + networkId).bearer(VIEWER).send().json().path("createdAt").asString());
        Instant appCreated = Instant.parse(
                api.get(INVESTIGATIONS + "/" + appId).bearer(VIEWER).send().json().path("createdAt").asString());
        assertThat(ids(scope + "&createdFrom=" + appCreated)).containsExactly(infoId, appId);
        assertThat(ids(scope + "&createdTo=" + appCreated)).containsExactly(networkId);
        assertThat(ids(scope + "&createdFrom=" + networkCreated + "&createdTo=" + appCreated.plusMillis(1)))
                .containsExactly(appId, networkId);
    }

    @Test
    void shouldPageNewestFirstByCursorWithoutGapsOrRepeats() {
        String run = run();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.addFirst(create(request(run)).path("id").asString());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String path = INVESTIGATIONS + "?limit=3&label=run%3D" + run + (cursor == null ? "" : "&cursor=" + cursor);
            JsonNode page = api.get(path).bearer(VIEWER).send().json();
            page.path("items").forEach(item -> seen.add(item.path("id").asString()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(created);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void shouldRejectBadQueryParametersByName() {
        assertThat(badQuery("status=DONE")).containsExactly("status");
        assertThat(badQuery("severity=CRITICAL")).containsExactly("severity");
        assertThat(badQuery("domain=dns")).containsExactly("domain");
        assertThat(badQuery("trustPhase=shadow")).containsExactly("trustPhase");
        assertThat(badQuery("source=pagerduty")).containsExactly("source");
        assertThat(badQuery("limit=0")).containsExactly("limit");
        assertThat(badQuery("limit=201")).containsExactly("limit");
        assertThat(badQuery("limit=ten")).containsExactly("limit");
        assertThat(badQuery("cursor=%21%21")).containsExactly("cursor");
        assertThat(badQuery("label=novalue")).containsExactly("label");
        assertThat(badQuery("createdFrom=yesterday")).containsExactly("createdFrom");
        assertThat(badQuery("createdFrom=2026-01-02T00:00:00Z&createdTo=2026-01-01T00:00:00Z"))
                .containsExactly("createdTo");
        assertThat(badQuery("q=%20%20")).containsExactly("q");
        assertThat(badQuery("status=DONE&severity=high&limit=0")).containsExactly("status", "severity", "limit");
    }

    private List<String> badQuery(String query) {
        ApiClient.Response response = api.get(INVESTIGATIONS + "?" + query).bearer(VIEWER).send();
        assertThat(response.status()).as(query).isEqualTo(400);
        assertThat(response.json().path("type").asString()).isEqualTo("https://nightshift.dev/problems/validation");
        return response.errorFields();
    }

    private List<String> ids(String path) {
        ApiClient.Response response = api.get(path).bearer(VIEWER).send();
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().path("items").forEach(item -> ids.add(item.path("id").asString()));
        return ids;
    }
}
