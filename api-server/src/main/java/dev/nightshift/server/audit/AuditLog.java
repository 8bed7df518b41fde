package dev.nightshift.server.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The global, append-only audit trail: a hash chain in which each entry's SHA-256 covers its
 * content and the previous entry's hash. Appends take a transaction-scoped lock, so entries get
 * consecutive sequence numbers in commit order and the chain never forks; PostgreSQL computes the
 * hash from the stored values ({@code audit_log_hash}), and a trigger refuses updates and deletes.
 */
@Repository
public class AuditLog {

    /** Serializes appends across all connections and replicas. */
    private static final long LOCK = 0x6e73_6175_6469_74L;
    static final String GENESIS = "0".repeat(64);

    /** {@code AuditEntry}. */
    public record Entry(long seq, Instant at, String actor, String action, UUID investigationId, JsonNode details,
            String prevHash, String hash) {}

    /** {@code AuditVerification}: {@code firstBrokenEntry} is null when the chain holds. */
    public record Verification(boolean ok, long entries, Long firstBrokenEntry) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    AuditLog(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Takes the append lock for the rest of the transaction. A transaction that will append takes it
     * before any row lock, so that no two transactions wait for each other in opposite orders.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lock() {
        lock(jdbc);
    }

    /** {@link #lock()} for code that holds only a {@link JdbcClient} in a transaction of its own. */
    public static void lock(JdbcClient jdbc) {
        jdbc.sql("SELECT pg_advisory_xact_lock(?)").param(LOCK).query().singleRow();
    }

    /** Appends an entry to the current transaction: it exists if and only if that commits. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String actor, String action, UUID investigationId, Map<String, ?> details) {
        lock(jdbc);
        jdbc.sql("""
                        INSERT INTO audit_log (seq, at, actor, action, investigation_id, details, prev_hash, hash)
                        SELECT n.seq, n.at, n.actor, n.action, n.investigation_id, n.details, n.prev_hash,
                               audit_log_hash(n.prev_hash, n.seq, n.at, n.actor, n.action, n.investigation_id, n.details)
                        FROM (SELECT coalesce(last.seq, 0) + 1 AS seq, ?::timestamptz AS at, ?::text AS actor,
                                     ?::text AS action, ?::uuid AS investigation_id, ?::jsonb AS details,
                                     coalesce(last.hash, ?) AS prev_hash
                              FROM (SELECT 1) one
                              LEFT JOIN (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) last ON true) n""")
                .params(Timestamp.from(clock.instant()), actor.length() > 200 ? actor.substring(0, 200) : actor, action,
                        investigationId, json.writeValueAsString(details), GENESIS)
                .update();
    }

    /** The trail of one investigation, or all of it, oldest first. */
    @Transactional(readOnly = true)
    public List<Entry> entries(UUID investigationId, long after, int limit) {
        return jdbc.sql("""
                        SELECT seq, at, actor, action, investigation_id, details::text, prev_hash, hash FROM audit_log
                        WHERE (?::uuid IS NULL OR investigation_id = ?) AND seq > ? ORDER BY seq LIMIT ?""")
                .params(investigationId, investigationId, after, limit)
                .query((rs, i) -> new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getObject(5, UUID.class), json.readTree(rs.getString(6)), rs.getString(7),
                        rs.getString(8)))
                .list();
    }

    /** Recomputes every hash and link; names the first entry that does not hold. */
    @Transactional(readOnly = true)
    public Verification verify() {
        long entries = jdbc.sql("SELECT count(*) FROM audit_log").query(Long.class).single();
        Long broken = jdbc.sql("""
                        SELECT seq FROM (
                            SELECT seq, hash, prev_hash,
                                   lag(hash) OVER (ORDER BY seq) AS previous,
                                   lag(seq) OVER (ORDER BY seq) AS previous_seq,
                                   audit_log_hash(prev_hash, seq, at, actor, action, investigation_id, details) AS expected
                            FROM audit_log) chain
                        WHERE hash <> expected OR prev_hash <> coalesce(previous, ?)
                           OR seq <> coalesce(previous_seq, 0) + 1
                        ORDER BY seq LIMIT 1""")
                .param(GENESIS).query(Long.class).optional().orElse(null);
        return new Verification(broken == null, entries, broken);
    }
}
