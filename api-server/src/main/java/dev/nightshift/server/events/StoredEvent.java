package dev.nightshift.server.events;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One event of an investigation's history, as stored and served: the envelope of the event
 * contract plus its {@code position} in the history.
 *
 * @param position gap-free place in the investigation's history, from 1
 * @param eventId the idempotency key
 * @param attempt which run attempt produced it; 0 for the server's own events
 * @param seq the producer's sequence number within its attempt
 * @param type for example {@code STATE_CHANGED}; readers ignore types they do not know
 * @param time when it happened, by the producer's clock
 * @param traceparent W3C trace context, if any
 * @param payload the type's fields
 * @param version schema version of the payload
 */
public record StoredEvent(
        long position,
        UUID eventId,
        UUID investigationId,
        int attempt,
        long seq,
        String type,
        Instant time,
        String traceparent,
        JsonNode payload,
        int version) {

    /** Event type of every lifecycle transition. */
    public static final String STATE_CHANGED = "STATE_CHANGED";
}
