package dev.nightshift.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EventStreamIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    private int port;

    @Autowired
    private EventStore store;

    @Autowired
    private PlatformTransactionManager transactionManager;

    /** One Server-Sent Event as received. */
    record Message(String id, String event, JsonNode data) {}

    private String create() {
        return api.post("/api/v1/investigations").bearer(OPERATOR).json(Map.of("title", "t", "problem", "p",
                "domains", List.of("network"), "severity", "warning")).send().json().path("id").asString();
    }

    private void cancel(String id) {
        assertThat(api.post("/api/v1/investigations/" + id + "/cancel").bearer(OPERATOR).send().status()).isEqualTo(200);
    }

    private JsonNode page(String id, String query) {
        ApiClient.Response response = api.get("/api/v1/investigations/" + id + "/events" + query).bearer(VIEWER)
                .header("Accept", "application/json").send();
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private Iterator<Message> stream(String id, String lastEventId) throws IOException, InterruptedException {
        return stream(port, VIEWER, id, lastEventId);
    }

    /** Opens a stream and reads it message by message, as a browser's EventSource would. */
    static Iterator<Message> stream(int port, String token, String id, String lastEventId)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/investigations/" + id + "/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        Iterator<String> lines = response.body().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return lines.hasNext();
            }

            @Override
            public Message next() {
                String messageId = null;
                String event = null;
                StringBuilder data = new StringBuilder();
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (line.isEmpty()) {
                        if (messageId != null) {
                            return new Message(messageId, event, JSON.readTree(data.toString()));
                        }
                        continue; // a heartbeat comment ends here
                    }
                    if (line.startsWith("id:")) {
                        messageId = line.substring(3);
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6);
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5));
                    }
                }
                return messageId == null ? null : new Message(messageId, event, JSON.readTree(data.toString()));
            }
        };
    }

    static List<Message> rest(Iterator<Message> messages) {
        List<Message> rest = new ArrayList<>();
        while (messages.hasNext()) {
            Message message = messages.next();
            if (message != null) {
                rest.add(message);
            }
        }
        return rest;
    }

    @Test
    void shouldKeepEveryTransitionAsAGapFreeHistory() {
        String id = create();
        cancel(id);

        JsonNode all = page(id, "");
        assertThat(all.path("items")).hasSize(2);
        JsonNode first = all.path("items").get(0);
        assertThat(first.path("position").asLong()).isEqualTo(1);
        assertThat(first.path("type").asString()).isEqualTo("STATE_CHANGED");
        assertThat(first.path("attempt").asInt()).isZero();
        assertThat(first.path("payload").path("to").asString()).isEqualTo("QUEUED");
        assertThat(first.path("payload").path("terminal").asBoolean()).isFalse();
        JsonNode second = all.path("items").get(1);
        assertThat(second.path("position").asLong()).isEqualTo(2);
        assertThat(second.path("payload").path("from").asString()).isEqualTo("QUEUED");
        assertThat(second.path("payload").path("to").asString()).isEqualTo("CANCELLED");
        assertThat(second.path("payload").path("actor").asString()).isEqualTo("otto-operator");
        assertThat(second.path("payload").path("terminal").asBoolean()).isTrue();
        assertThat(all.path("next").isNull()).isTrue();

        JsonNode firstPage = page(id, "?limit=1");
        assertThat(firstPage.path("items")).hasSize(1);
        assertThat(firstPage.path("next").asLong()).isEqualTo(1);
        JsonNode secondPage = page(id, "?after=1");
        assertThat(secondPage.path("items").get(0).path("position").asLong()).isEqualTo(2);
    }

    @Test
    void shouldReplayThenFollowLiveAndEndAfterTheTerminalState() throws Exception {
        String id = create();
        Iterator<Message> messages = stream(id, null);
        Message queued = messages.next();
        assertThat(queued.id()).isEqualTo("1");
        assertThat(queued.event()).isEqualTo("STATE_CHANGED");
        assertThat(queued.data().path("payload").path("to").asString()).isEqualTo("QUEUED");

        cancel(id); // live, after the stream has caught up
        Message cancelled = messages.next();
        assertThat(cancelled.id()).isEqualTo("2");
        assertThat(cancelled.data().path("payload").path("to").asString()).isEqualTo("CANCELLED");
        assertThat(rest(messages)).as("the stream ends after the terminal state").isEmpty();
    }

    @Test
    void shouldResumeAfterLastEventIdWithoutGapOrDuplicate() throws Exception {
        String id = create();
        cancel(id);
        List<Message> resumed = rest(stream(id, "1"));
        assertThat(resumed).extracting(Message::id).containsExactly("2");
    }

    @Test
    void shouldStoreARedeliveredEventOnceAndKeepPositionsGapFree() {
        String id = create();
        UUID investigation = UUID.fromString(id);
        UUID eventId = UUID.randomUUID();
        TransactionTemplate tx = new TransactionTemplate(transactionManager);
        JsonNode payload = JSON.readTree("{\"statement\":\"DNS is down\"}");
        var first = tx.execute(s -> store.append(eventId, investigation, 1, 0, "HYPOTHESIS_PROPOSED", Instant.now(),
                null, payload, 1));
        var again = tx.execute(s -> store.append(eventId, investigation, 1, 0, "HYPOTHESIS_PROPOSED", Instant.now(),
                null, payload, 1));
        assertThat(first).hasValueSatisfying(event -> assertThat(event.position()).isEqualTo(2));
        assertThat(again).isEmpty();
        cancel(id);
        assertThat(page(id, "").path("items").valueStream().map(e -> e.path("position").asLong()).toList())
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void shouldServeTheHypothesisTreeTheEventsBuilt() {
        String id = create();
        UUID investigation = UUID.fromString(id);
        TransactionTemplate tx = new TransactionTemplate(transactionManager);
        tx.executeWithoutResult(s -> {
            store.append(UUID.randomUUID(), investigation, 1, 0, "HYPOTHESIS_PROPOSED", Instant.now(), null,
                    JSON.readTree("{\"id\":\"h1\",\"statement\":\"DNS is down\",\"domain\":\"network\",\"confidence\":0.4}"), 1);
            store.append(UUID.randomUUID(), investigation, 1, 1, "EVIDENCE_COLLECTED", Instant.now(), null,
                    JSON.readTree("{\"hypothesisId\":\"h1\",\"tool\":\"prometheus\",\"query\":\"up{job=\\\"coredns\\\"}\",\"summary\":\"all up\",\"verdict\":\"refutes\"}"), 1);
        });
        ApiClient.Response response = api.get("/api/v1/investigations/" + id + "/hypotheses").bearer(VIEWER).send();
        assertThat(response.status()).isEqualTo(200);
        JsonNode root = response.json().path("hypotheses").get(0);
        assertThat(root.path("statement").asString()).isEqualTo("DNS is down");
        assertThat(root.path("evidence").get(0).path("verdict").asString()).isEqualTo("refutes");
        assertThat(root.path("evidence").get(0).path("query").asString()).isEqualTo("up{job=\"coredns\"}");
    }

    @Test
    void shouldAnswer404And400LikeTheRestOfTheApi() {
        assertThat(api.get("/api/v1/investigations/" + UUID.randomUUID() + "/events").bearer(VIEWER)
                .header("Accept", "application/json").send().status()).isEqualTo(404);
        String id = create();
        ApiClient.Response bad = api.get("/api/v1/investigations/" + id + "/events?limit=0").bearer(VIEWER)
                .header("Accept", "application/json").send();
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorFields()).containsExactly("limit");
    }
}
