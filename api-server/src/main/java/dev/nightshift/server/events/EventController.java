package dev.nightshift.server.events;

import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.system.QueryParameters;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/v1/investigations/{id}/events}: the history as a JSON page, or as Server-Sent
 * Events that replay from the database after {@code Last-Event-ID} and then follow live, ending
 * after the event of the terminal state.
 */
@RestController
class EventController {

    private static final Logger log = LoggerFactory.getLogger(EventController.class);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int REPLAY_BATCH = 500;
    static final int CLIENT_BUFFER = 1000;
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    static final Duration STREAM_TIMEOUT = Duration.ofHours(1);

    /** {@code EventPage}: events oldest first; {@code next} is the {@code after} of the next page. */
    record EventPage(List<StoredEvent> items, Long next) {}

    private final EventStore store;
    private final EventBroadcaster broadcaster;
    private final InvestigationService investigations;

    EventController(EventStore store, EventBroadcaster broadcaster, InvestigationService investigations) {
        this.store = store;
        this.broadcaster = broadcaster;
        this.investigations = investigations;
    }

    @GetMapping(path = "/api/v1/investigations/{id}/events", produces = MediaType.APPLICATION_JSON_VALUE)
    EventPage page(@PathVariable UUID id, @RequestParam(required = false) String after,
            @RequestParam(required = false) String limit, Authentication principal) {
        long from = QueryParameters.integer("after", after, 0, Long.MAX_VALUE, 0);
        int size = (int) QueryParameters.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        investigations.requireVisible(id, principal);
        List<StoredEvent> items = store.after(id, from, size + 1);
        Long next = null;
        if (items.size() > size) {
            items = items.subList(0, size);
            next = items.getLast().position();
        }
        return new EventPage(items, next);
    }

    /** {@code HypothesisTree}: the investigation's hypotheses as its events built them. */
    record HypothesisView(List<HypothesisTree.Hypothesis> hypotheses) {}

    @GetMapping(path = "/api/v1/investigations/{id}/hypotheses", produces = MediaType.APPLICATION_JSON_VALUE)
    HypothesisView hypotheses(@PathVariable UUID id, Authentication principal) {
        investigations.requireVisible(id, principal);
        List<StoredEvent> all = new ArrayList<>();
        List<StoredEvent> batch;
        do {
            batch = store.after(id, all.isEmpty() ? 0 : all.getLast().position(), MAX_LIMIT);
            all.addAll(batch);
        } while (batch.size() == MAX_LIMIT);
        return new HypothesisView(HypothesisTree.from(all));
    }

    @GetMapping(path = "/api/v1/investigations/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@PathVariable UUID id, @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(required = false) String after, Authentication principal) {
        long from = lastEventId != null
                ? QueryParameters.integer("Last-Event-ID", lastEventId, 0, Long.MAX_VALUE, 0)
                : QueryParameters.integer("after", after, 0, Long.MAX_VALUE, 0);
        investigations.requireVisible(id, principal);
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
        // Subscribe before replaying: what commits in between is in the queue, and duplicates are skipped.
        EventBroadcaster.Subscription subscription = broadcaster.subscribe(id, CLIENT_BUFFER);
        emitter.onCompletion(subscription::close);
        emitter.onTimeout(subscription::close);
        emitter.onError(error -> subscription.close());
        Thread.ofVirtual().name("sse-" + id).start(() -> pump(id, from, subscription, emitter));
        return emitter;
    }

    /** Replays, then follows; one virtual thread per client, so a slow one blocks only itself. */
    private void pump(UUID id, long from, EventBroadcaster.Subscription subscription, SseEmitter emitter) {
        Stream stream = new Stream(id, from, emitter);
        try (subscription) {
            if (stream.catchUp()) {
                return;
            }
            while (true) {
                StoredEvent event = subscription.queue().poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                if (subscription.overflowed()) {
                    log.info("Closing a slow event stream of investigation {} at {}; it resumes with Last-Event-ID",
                            id, stream.last);
                    emitter.complete();
                    return;
                }
                // After a lost notification connection, or a gap: the database has it all, in order.
                if (subscription.takeResync() || (event != null && event.position() > stream.last + 1)) {
                    if (stream.catchUp()) {
                        return;
                    }
                } else if (event != null && event.position() == stream.last + 1) {
                    if (stream.send(List.of(event))) {
                        return;
                    }
                } else if (event == null) {
                    emitter.send(SseEmitter.event().comment("heartbeat"));
                }
            }
        } catch (IOException | IllegalStateException e) {
            // The client went away; it resumes with Last-Event-ID.
            emitter.completeWithError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.complete();
        }
    }

    /** One client's stream: what it has been sent, and sending in order until the terminal event. */
    private final class Stream {
        private final UUID id;
        private final SseEmitter emitter;
        private long last;

        Stream(UUID id, long from, SseEmitter emitter) {
            this.id = id;
            this.last = from;
            this.emitter = emitter;
        }

        /** Sends everything stored after what was sent; returns whether the stream ended. */
        boolean catchUp() throws IOException {
            List<StoredEvent> batch;
            do {
                batch = store.after(id, last, REPLAY_BATCH);
                if (send(batch)) {
                    return true;
                }
            } while (batch.size() == REPLAY_BATCH);
            return false;
        }

        /** Sends events in order; completes the stream at the terminal one and returns {@code true}. */
        boolean send(List<StoredEvent> events) throws IOException {
            for (StoredEvent event : events) {
                emitter.send(SseEmitter.event().id(Long.toString(event.position())).name(event.type())
                        .data(event, MediaType.APPLICATION_JSON));
                last = event.position();
                if (terminal(event)) {
                    emitter.complete();
                    return true;
                }
            }
            return false;
        }
    }

    static boolean terminal(StoredEvent event) {
        return StoredEvent.STATE_CHANGED.equals(event.type()) && event.payload().path("terminal").asBoolean(false);
    }
}
