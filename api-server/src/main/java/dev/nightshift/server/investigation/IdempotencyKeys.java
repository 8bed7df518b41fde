package dev.nightshift.server.investigation;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;

/**
 * Remembered {@code Idempotency-Key}s of the create call, per principal. Used inside the create
 * transaction: a key is claimed in the same commit as the investigation it names.
 */
@Repository
class IdempotencyKeys {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);

    /** A claimed key: the hash of the body it was first used with, and what it created. */
    record Claim(String requestHash, UUID investigationId) {}

    private final JdbcClient jdbc;
    private final InvestigationProperties properties;
    private final Clock clock;

    IdempotencyKeys(JdbcClient jdbc, InvestigationProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /** The live claim on a key; an expired one is deleted and treated as absent. */
    Optional<Claim> find(String principal, String key) {
        jdbc.sql("DELETE FROM idempotency_keys WHERE principal = ? AND idempotency_key = ? AND created_at < ?")
                .params(principal, key, Timestamp.from(expiredBefore()))
                .update();
        return jdbc.sql("SELECT request_hash, investigation_id FROM idempotency_keys"
                        + " WHERE principal = ? AND idempotency_key = ?")
                .params(principal, key)
                .query((rs, i) -> new Claim(rs.getString(1), rs.getObject(2, UUID.class)))
                .optional();
    }

    /**
     * Claims a key for an investigation. Blocks while another transaction holds an uncommitted claim
     * on the same key, and returns {@code false} if that claim commits.
     */
    boolean claim(String principal, String key, String requestHash, UUID investigationId) {
        return jdbc.sql("INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, investigation_id,"
                        + " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(principal, key, requestHash, investigationId, Timestamp.from(clock.instant()))
                .update() == 1;
    }

    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
    void purgeExpired() {
        int purged = jdbc.sql("DELETE FROM idempotency_keys WHERE created_at < ?")
                .param(Timestamp.from(expiredBefore()))
                .update();
        if (purged > 0) {
            log.info("Purged {} expired idempotency keys", purged);
        }
    }

    private Instant expiredBefore() {
        return clock.instant().minus(properties.idempotencyKeyRetention());
    }
}
