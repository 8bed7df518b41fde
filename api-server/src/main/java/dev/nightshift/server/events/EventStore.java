package dev.nightshift.server.events;

import dev.nightshift.server.system.UuidV7;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable, ordered history of each investigation. Appending takes the investigation's row lock
 * (through its event counter), so positions are gap-free and follow storage order however many
 * producers write; an event ID seen before is not stored again. Each stored event is announced on
 * {@link #CHANNEL} at commit, to the live streams of every replica.
 */
@Repository
public class EventStore {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final UuidV7 ids = new UuidV7();

    /** The PostgreSQL notification channel that announces each stored event as {@code <investigation>:<position>}. */
    public static final String CHANNEL = "nightshift_events";

    EventStore(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** Appends one of the server's own events (attempt 0) to the current transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    public StoredEvent appendServerEvent(UUID investigationId, String type, Object payload) {
        UUID eventId = ids.next(clock.instant());
        return append(eventId, investigationId, 0, -1, type, clock.instant(), null, json.valueToTree(payload), 1)
                .orElseThrow();
    }

    /**
     * Appends an event unless its ID is stored already.
     *
     * @param seq the producer's sequence number; -1 to use the position (server events)
     * @return the stored event, or empty for a duplicate
     * @throws PoisonEventException when there is no such investigation (nothing was written)
     */
    @Transactional(propagation = Propagation.MANDATORY, noRollbackFor = PoisonEventException.class)
    public Optional<StoredEvent> append(UUID eventId, UUID investigationId, int attempt, long seq, String type,
            Instant time, String traceparent, JsonNode payload, int version) {
        boolean duplicate = jdbc.sql("SELECT EXISTS (SELECT 1 FROM investigation_events WHERE event_id = ?)")
                .param(eventId).query(Boolean.class).single();
        if (duplicate) {
            return Optional.empty();
        }
        // Takes the row lock that orders the history, and tells whether the investigation exists.
        long position = jdbc.sql("UPDATE investigations SET last_event_position = last_event_position + 1"
                        + " WHERE id = ? RETURNING last_event_position")
                .param(investigationId).query(Long.class).optional()
                .orElseThrow(() -> new PoisonEventException("no investigation " + investigationId));
        StoredEvent event = new StoredEvent(position, eventId, investigationId, attempt, seq < 0 ? position : seq, type,
                time, traceparent, payload, version);
        jdbc.sql("""
                        INSERT INTO investigation_events (investigation_id, position, event_id, attempt, seq, type,
                            occurred_at, traceparent, payload, version, stored_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""")
                .params(investigationId, position, eventId, attempt, event.seq(), type, Timestamp.from(time), traceparent,
                        json.writeValueAsString(payload), version, Timestamp.from(clock.instant()))
                .update();
        // Delivered to every replica's listener when (and only if) this transaction commits.
        jdbc.sql("SELECT pg_notify(?, ?)").params(CHANNEL, investigationId + ":" + position).query().singleRow();
        return Optional.of(event);
    }

    /** Events after {@code after}, oldest first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<StoredEvent> after(UUID investigationId, long after, int limit) {
        return jdbc.sql("""
                        SELECT position, event_id, investigation_id, attempt, seq, type, occurred_at, traceparent,
                               payload::text, version
                        FROM investigation_events WHERE investigation_id = ? AND position > ?
                        ORDER BY position LIMIT ?""")
                .params(investigationId, after, limit)
                .query((rs, i) -> new StoredEvent(rs.getLong(1), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class), rs.getInt(4), rs.getLong(5), rs.getString(6),
                        rs.getTimestamp(7).toInstant(), rs.getString(8), json.readTree(rs.getString(9)), rs.getInt(10)))
                .list();
    }
}
