package dev.nightshift.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.nightshift.contract.EventEnvelope;
import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
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

    @Autowired
    private EventBroadcaster broadcaster;

    @Autowired
    private WorkerEventIngest ingest;

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
    void shouldNotLetAStalledClientDelayAnotherAndLetItResumeWithoutGapOrDuplicate() throws Exception {
        String id = create();
        UUID investigation = UUID.fromString(id);
        try (Socket stalled = new Socket()) {
            // A client that reads nothing, behind a receive window of a few KiB.
            stalled.setReceiveBufferSize(4096);
            stalled.setSoTimeout(60_000);
            stalled.connect(new InetSocketAddress("127.0.0.1", port));
            stalled.getOutputStream().write(("GET /api/v1/investigations/" + id + "/events HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + VIEWER + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Iterator<Message> live = stream(id, null);
            assertThat(live.next().id()).isEqualTo("1");
            awaitClients(2);

            // Far more than the stalled client's socket and its buffer of events can hold, in batches
            // that the live client reads as they come, while the stalled one reads nothing.
            int batches = 30;
            int batchSize = EventController.CLIENT_BUFFER / 10;
            JsonNode payload = JSON.valueToTree(Map.of("tool", "logs", "summary", "x".repeat(4000)));
            TransactionTemplate tx = new TransactionTemplate(transactionManager);
            for (int batch = 0; batch < batches; batch++) {
                long first = 2L + (long) batch * batchSize;
                tx.executeWithoutResult(s -> store.append(IntStream.range(0, batchSize)
                        .mapToObj(i -> new EventStore.NewEvent(UUID.randomUUID(), investigation, 1, first + i,
                                "TOOL_CALLED", Instant.now(), null, payload, 1))
                        .toList()));
                List<Long> received = assertTimeoutPreemptively(Duration.ofMinutes(1),
                        () -> Stream.generate(live::next).limit(batchSize).map(m -> Long.parseLong(m.id())).toList(),
                        "the live client must not wait for the stalled one");
                assertThat(received).containsExactlyElementsOf(
                        LongStream.range(first, first + batchSize).boxed().toList());
            }
            cancel(id);
            long terminal = 2L + (long) batches * batchSize;
            assertThat(rest(live)).extracting(Message::id).containsExactly(Long.toString(terminal));

            // The stalled client was dropped, not waited for: what it got is a gap-free prefix.
            List<Long> prefix = positions(chunkedBody(stalled.getInputStream()));
            assertThat(prefix).isNotEmpty().doesNotContain(terminal);
            assertThat(prefix).containsExactlyElementsOf(LongStream.rangeClosed(1, prefix.getLast()).boxed().toList());
            List<Message> resumed = rest(stream(id, Long.toString(prefix.getLast())));
            assertThat(resumed).extracting(message -> Long.parseLong(message.id()))
                    .containsExactlyElementsOf(LongStream.rangeClosed(prefix.getLast() + 1, terminal).boxed().toList());
        }
    }

    private void awaitClients(int clients) throws InterruptedException {
        for (int i = 0; i < 100 && broadcaster.clients() < clients; i++) {
            Thread.sleep(50);
        }
        assertThat(broadcaster.clients()).isEqualTo(clients);
    }

    /** The body of an HTTP/1.1 chunked response, up to its last chunk or the end of the connection. */
    private static String chunkedBody(InputStream socket) throws IOException {
        BufferedInputStream in = new BufferedInputStream(socket);
        assertThat(line(in)).startsWith("HTTP/1.1 200");
        String header;
        while (!(header = line(in)).isEmpty()) {
            if (header.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)) {
                assertThat(header).containsIgnoringCase("chunked");
            }
        }
        StringBuilder body = new StringBuilder();
        String size;
        while ((size = line(in)) != null && !size.isEmpty()) {
            int length = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (length == 0) {
                break;
            }
            byte[] chunk = in.readNBytes(length);
            body.append(new String(chunk, StandardCharsets.UTF_8));
            if (chunk.length < length || line(in) == null) {
                break; // the server closed the connection mid-chunk
            }
        }
        return body.toString();
    }

    /** A CRLF-terminated line, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return c == -1 && line.isEmpty() ? null : line.toString();
    }

    /** The ids of the complete messages of an event stream. */
    private static List<Long> positions(String stream) {
        List<Long> ids = new ArrayList<>();
        String[] messages = stream.split("\n\n", -1);
        for (int i = 0; i < messages.length - 1; i++) { // the last one may be cut off
            messages[i].lines().filter(l -> l.startsWith("id:")).forEach(l -> ids.add(Long.parseLong(l.substring(3))));
        }
        return ids;
    }

    @Test
    void shouldStoreARedeliveredEventOnceAndKeepPositionsGapFree() {
        String id = create();
        UUID investigation = UUID.fromString(id);
        UUID eventId = UUID.randomUUID();
        TransactionTemplate tx = new TransactionTemplate(transactionManager);
        JsonNode payload = JSON.readTree("{\"statement\":\"DNS is down\"}");
        var event = new EventStore.NewEvent(eventId, investigation, 1, 0, "HYPOTHESIS_PROPOSED", Instant.now(), null,
                payload, 1);
        var first = tx.execute(s -> store.append(List.of(event, event)));
        var again = tx.execute(s -> store.append(List.of(event)));
        assertThat(first).extracting(StoredEvent::position).containsExactly(2L);
        assertThat(again).isEmpty();
        cancel(id);
        assertThat(page(id, "").path("items").valueStream().map(e -> e.path("position").asLong()).toList())
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void shouldStoreABatchUpToItsFirstPoisonRecordAndDriveTheStateMachineInOrder() {
        String id = create();
        UUID investigation = UUID.fromString(id);
        String known = new EventEnvelope(UUID.randomUUID(), investigation, 1, 1, "HYPOTHESIS_PROPOSED", Instant.now(),
                null, Map.of("id", "h1")).toJson();
        String unknown = new EventEnvelope(UUID.randomUUID(), UUID.randomUUID(), 1, 1, "STARTED", Instant.now(), null,
                Map.of()).toJson();
        String failed = new EventEnvelope(UUID.randomUUID(), investigation, 1, 2, "FAILED", Instant.now(), null,
                Map.of("reason", "Prometheus unreachable")).toJson();

        assertThatThrownBy(() -> ingest.ingest(List.of(known, known, unknown, failed)))
                .isInstanceOfSatisfying(WorkerEventIngest.PoisonRecordException.class,
                        e -> assertThat(e.index()).isEqualTo(2));
        assertThatThrownBy(() -> ingest.ingest(List.of(known, "not json", failed)))
                .isInstanceOfSatisfying(WorkerEventIngest.PoisonRecordException.class,
                        e -> assertThat(e.index()).isEqualTo(1));
        assertThat(page(id, "").path("items").valueStream().map(e -> e.path("type").asString()).toList())
                .containsExactly("STATE_CHANGED", "HYPOTHESIS_PROPOSED");

        String late = new EventEnvelope(UUID.randomUUID(), investigation, 1, 3, "HYPOTHESIS_PROPOSED", Instant.now(),
                null, Map.of("id", "h2")).toJson();
        ingest.ingest(List.of(known, failed, late));
        assertThat(page(id, "").path("items").valueStream()
                .map(e -> e.path("position").asLong() + ":" + e.path("type").asString() + e.path("payload").path("to")
                        .asString(""))
                .toList())
                .as("each outcome's STATE_CHANGED follows it")
                .containsExactly("1:STATE_CHANGEDQUEUED", "2:HYPOTHESIS_PROPOSED", "3:FAILED", "4:STATE_CHANGEDFAILED",
                        "5:HYPOTHESIS_PROPOSED");
    }

    @Test
    void shouldServeTheHypothesisTreeTheEventsBuilt() {
        String id = create();
        UUID investigation = UUID.fromString(id);
        TransactionTemplate tx = new TransactionTemplate(transactionManager);
        tx.executeWithoutResult(s -> store.append(List.of(
                new EventStore.NewEvent(UUID.randomUUID(), investigation, 1, 0, "HYPOTHESIS_PROPOSED", Instant.now(), null,
                        JSON.readTree("{\"id\":\"h1\",\"statement\":\"DNS is down\",\"domain\":\"network\",\"confidence\":0.4}"), 1),
                new EventStore.NewEvent(UUID.randomUUID(), investigation, 1, 1, "EVIDENCE_COLLECTED", Instant.now(), null,
                        JSON.readTree("{\"hypothesisId\":\"h1\",\"tool\":\"prometheus\",\"query\":\"up{job=\\\"coredns\\\"}\",\"summary\":\"all up\",\"verdict\":\"refutes\"}"), 1))));
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
