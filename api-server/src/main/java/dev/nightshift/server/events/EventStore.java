package dev.nightshift.server.events;

import dev.nightshift.server.system.UuidV7;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable, ordered history of each investigation. Appending locks the investigations' rows
 * (in ID order, so concurrent appenders never deadlock), so positions are gap-free and follow
 * storage order however many producers write; an event ID seen before is not stored again. A batch
 * costs the same five statements however many events and investigations it holds. Stored events
 * are announced on {@link #CHANNEL} at commit, to the live streams of every replica.
 */
@Repository
public class EventStore {

    /**
     * The PostgreSQL notification channel; each notification names the positions one transaction
     * stored as {@code <investigation>:<first>:<last>}.
     */
    public static final String CHANNEL = "nightshift_events";

    /**
     * An event to append, as its producer sent it.
     *
     * @param seq the producer's sequence number; -1 to use the position (server events)
     */
    public record NewEvent(UUID eventId, UUID investigationId, int attempt, long seq, String type, Instant time,
            String traceparent, JsonNode payload, int version) {}

    /** An event names an investigation there is no trace of; nothing of its batch was written. */
    public static final class UnknownInvestigationException extends PoisonEventException {
        private final UUID investigationId;

        UnknownInvestigationException(UUID investigationId) {
            super("no investigation " + investigationId);
            this.investigationId = investigationId;
        }

        public UUID investigationId() {
            return investigationId;
        }
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final UuidV7 ids = new UuidV7();

    EventStore(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** Appends one of the server's own events (attempt 0) to the current transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    public StoredEvent appendServerEvent(UUID investigationId, String type, Object payload) {
        return appendServerEvents(investigationId, type, List.of(payload)).getFirst();
    }

    /** Appends several of the server's own events of one type, in order, in one batch. */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<StoredEvent> appendServerEvents(UUID investigationId, String type, List<?> payloads) {
        Instant now = clock.instant();
        return append(payloads.stream().map(payload -> new NewEvent(ids.next(now), investigationId, 0, -1, type, now,
                null, json.valueToTree(payload), 1)).toList());
    }

    /**
     * Appends events in the given order, skipping those whose ID is stored already (or came earlier
     * in the list).
     *
     * @return the events stored, in order of position
     * @throws UnknownInvestigationException for the first event, in list order, that names no
     *     investigation (nothing was written)
     */
    @Transactional(propagation = Propagation.MANDATORY, noRollbackFor = PoisonEventException.class)
    public List<StoredEvent> append(List<NewEvent> events) {
        Map<UUID, NewEvent> unique = new LinkedHashMap<>();
        events.forEach(event -> unique.putIfAbsent(event.eventId(), event));
        if (unique.isEmpty()) {
            return List.of();
        }
        Set<UUID> known = new HashSet<>(jdbc.sql(
                        "SELECT id FROM investigations WHERE id = ANY (?::uuid[]) ORDER BY id FOR UPDATE")
                .param(strings(unique.values().stream().map(NewEvent::investigationId).distinct().toList()))
                .query(UUID.class).list());
        for (NewEvent event : unique.values()) {
            if (!known.contains(event.investigationId())) {
                throw new UnknownInvestigationException(event.investigationId());
            }
        }
        // Under the locks, so no other transaction can store one of these IDs for these investigations now.
        jdbc.sql("SELECT event_id FROM investigation_events WHERE event_id = ANY (?::uuid[])")
                .param(strings(List.copyOf(unique.keySet()))).query(UUID.class).list()
                .forEach(unique::remove);
        if (unique.isEmpty()) {
            return List.of();
        }
        Map<UUID, Integer> counts = new LinkedHashMap<>();
        unique.values().forEach(event -> counts.merge(event.investigationId(), 1, Integer::sum));
        Map<UUID, Long> first = new LinkedHashMap<>();
        jdbc.sql("""
                        UPDATE investigations i SET last_event_position = i.last_event_position + c.n
                        FROM unnest(?::uuid[], ?::int[]) AS c (id, n) WHERE i.id = c.id
                        RETURNING i.id, i.last_event_position - c.n + 1""")
                .params(strings(List.copyOf(counts.keySet())), counts.values().toArray(Integer[]::new))
                .query((rs, i) -> Map.entry(rs.getObject(1, UUID.class), rs.getLong(2))).list()
                .forEach(row -> first.put(row.getKey(), row.getValue()));
        Map<UUID, Long> next = new LinkedHashMap<>(first);
        List<StoredEvent> stored = new ArrayList<>(unique.size());
        for (NewEvent event : unique.values()) {
            long position = next.merge(event.investigationId(), 1L, Long::sum) - 1;
            stored.add(new StoredEvent(position, event.eventId(), event.investigationId(), event.attempt(),
                    event.seq() < 0 ? position : event.seq(), event.type(), event.time(), event.traceparent(),
                    event.payload(), event.version()));
        }
        insert(stored);
        // Delivered to every replica's listener when (and only if) this transaction commits.
        String[] announcements = first.entrySet().stream()
                .map(from -> from.getKey() + ":" + from.getValue() + ":" + (next.get(from.getKey()) - 1))
                .toArray(String[]::new);
        jdbc.sql("SELECT pg_notify(?, n) FROM unnest(?::text[]) AS n").params(CHANNEL, announcements)
                .query().listOfRows();
        return stored;
    }

    private void insert(List<StoredEvent> events) {
        int n = events.size();
        String[] investigations = new String[n];
        Long[] positions = new Long[n];
        String[] eventIds = new String[n];
        Integer[] attempts = new Integer[n];
        Long[] seqs = new Long[n];
        String[] types = new String[n];
        String[] times = new String[n];
        String[] traceparents = new String[n];
        String[] payloads = new String[n];
        Integer[] versions = new Integer[n];
        for (int i = 0; i < n; i++) {
            StoredEvent event = events.get(i);
            investigations[i] = event.investigationId().toString();
            positions[i] = event.position();
            eventIds[i] = event.eventId().toString();
            attempts[i] = event.attempt();
            seqs[i] = event.seq();
            types[i] = event.type();
            times[i] = event.time().toString();
            traceparents[i] = event.traceparent();
            payloads[i] = json.writeValueAsString(event.payload());
            versions[i] = event.version();
        }
        jdbc.sql("""
                        INSERT INTO investigation_events (investigation_id, position, event_id, attempt, seq, type,
                            occurred_at, traceparent, payload, version, stored_at)
                        SELECT e.investigation_id, e.position, e.event_id, e.attempt, e.seq, e.type, e.occurred_at,
                            e.traceparent, e.payload::jsonb, e.version, ?
                        FROM unnest(?::uuid[], ?::bigint[], ?::uuid[], ?::int[], ?::bigint[], ?::text[],
                            ?::timestamptz[], ?::text[], ?::text[], ?::int[])
                            AS e (investigation_id, position, event_id, attempt, seq, type, occurred_at, traceparent,
                                  payload, version)""")
                .params(Timestamp.from(clock.instant()), investigations, positions, eventIds, attempts, seqs, types,
                        times, traceparents, payloads, versions)
                .update();
    }

    private static String[] strings(List<UUID> ids) {
        return ids.stream().map(UUID::toString).toArray(String[]::new);
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
