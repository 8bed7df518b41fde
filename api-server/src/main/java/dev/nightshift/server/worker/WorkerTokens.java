package dev.nightshift.server.worker;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.system.ApiTokens;
import dev.nightshift.server.system.WorkerCredentials;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Bootstrap tokens of worker runs: minted at each launch, valid for that one investigation while
 * it is not over, kept only as SHA-256 hashes. A token is {@value #PREFIX} and 256 random bits.
 */
@Component
public class WorkerTokens implements WorkerCredentials {

    static final String PREFIX = "nsw_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final Clock clock;
    private final AuditLog audit;

    WorkerTokens(JdbcClient jdbc, Clock clock, AuditLog audit) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.audit = audit;
    }

    /** A new token for a run of this investigation; the caller hands it to the worker and forgets it. */
    @Transactional
    public String mint(UUID investigationId) {
        audit.lock();
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        jdbc.sql("INSERT INTO worker_credentials (token_hash, investigation_id, issued_at) VALUES (?, ?, ?)")
                .params(ApiTokens.sha256Hex(token), investigationId, Timestamp.from(clock.instant()))
                .update();
        // Which token it was stays recognisable by its hash's start; the token itself is nowhere.
        audit.append("dispatcher", "worker-token.minted", investigationId,
                Map.of("tokenHashPrefix", ApiTokens.sha256Hex(token).substring(0, 12)));
        return token;
    }

    @Override
    public Optional<UUID> investigationOf(String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return jdbc.sql("""
                        SELECT c.investigation_id FROM worker_credentials c JOIN investigations i ON i.id = c.investigation_id
                        WHERE c.token_hash = ? AND i.status IN ('LAUNCHING', 'RUNNING')""")
                .param(ApiTokens.sha256Hex(token)).query(UUID.class).optional();
    }

    @Override
    public boolean isWorkerToken(String token) {
        return token != null && token.startsWith(PREFIX);
    }
}
