package dev.nightshift.server.vault;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.notify.NotificationProperties.Event;
import dev.nightshift.server.notify.Notifications;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.MetricNames;
import dev.nightshift.server.system.ProblemType;
import dev.nightshift.server.trust.TrustPhase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.vault.VaultException;
import org.springframework.vault.core.VaultOperations;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.ResourceAccessException;

/**
 * One Vault identity per worker attempt: a token from the phase's token role, carrying the
 * investigation, attempt and phase as metadata, living as long as the run may (plus a grace), and
 * handed over response-wrapped, so that only a single-use wrapping token ever leaves the server.
 * Tokens are revoked by accessor when the investigation ends, whatever the reason; a sweep retries
 * what Vault could not take at that moment. Only accessors are stored, audited or logged.
 */
public class VaultCredentials {

    private static final Logger log = LoggerFactory.getLogger(VaultCredentials.class);
    static final String CREDENTIAL_ALERT = "CREDENTIAL_ALERT";
    static final Duration MIN_TTL = Duration.ofMinutes(1);

    /** What the worker gets: the wrapping token (single use) and where to take it. */
    public record Handover(String address, String wrappingToken, long wrapTtlSeconds, List<SecretPath> paths) {
        @Override
        public String toString() {
            return "Handover[address=" + address + ", wrappingToken=(redacted), paths=" + paths + "]";
        }
    }

    /** {@code SecretPath}: a path the worker reads, and what for ({@code datasource:prometheus}, {@code llm}, {@code extra}). */
    public record SecretPath(String purpose, String path) {}

    /** An issued, still wrapped token. */
    public record Issued(Handover handover, String accessor, String role, Instant expiresAt) {}

    private final VaultOperations vault;
    private final VaultProperties properties;
    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final EventStore events;
    private final Notifications notifications;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final MeterRegistry meters;
    private final AtomicLong outstanding = new AtomicLong();

    VaultCredentials(VaultOperations vault, VaultProperties properties, JdbcClient jdbc, AuditLog audit,
            EventStore events, Notifications notifications, PlatformTransactionManager transactionManager, Clock clock,
            MeterRegistry meters) {
        this.vault = vault;
        this.properties = properties;
        this.jdbc = jdbc;
        this.audit = audit;
        this.events = events;
        this.notifications = notifications;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
        this.meters = meters;
        Gauge.builder(MetricNames.CREDENTIALS_OUTSTANDING, outstanding, AtomicLong::get)
                .description("Vault tokens issued to workers, neither revoked nor expired").register(meters);
    }

    /**
     * Creates the attempt's token, response-wrapped. Nothing is stored yet: {@link #record} does
     * that with the attempt, and {@link #revokeAccessor} undoes it if the attempt is not stored.
     *
     * @throws ApiException 503 when Vault does not answer or refuses
     */
    public Issued issue(UUID investigationId, int attempt, TrustPhase phase, Instant deadline,
            List<SecretPath> paths) {
        Instant now = clock.instant();
        Duration ttl = Duration.between(now, deadline).plus(properties.grace());
        ttl = ttl.compareTo(MIN_TTL) < 0 ? MIN_TTL : ttl.compareTo(properties.maxTtl()) > 0 ? properties.maxTtl() : ttl;
        String role = properties.tokenRole(phase);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("policies", properties.policies(phase));
        request.put("meta", Map.of("investigation_id", investigationId.toString(), "attempt", String.valueOf(attempt),
                "trust_phase", phase.name()));
        request.put("ttl", ttl.toSeconds() + "s");
        request.put("explicit_max_ttl", properties.maxTtl().toSeconds() + "s");
        request.put("display_name", "investigation-" + investigationId + "-" + attempt);
        request.put("renewable", false);
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        headers.set("X-Vault-Wrap-TTL", properties.wrapTtl().toSeconds() + "s");
        Timer.Sample sample = Timer.start(meters);
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> response = vault.doWithSession(rest -> rest.exchange("auth/token/create/{role}",
                    HttpMethod.POST, new HttpEntity<>(request, headers), Map.class, role).getBody());
            @SuppressWarnings("unchecked")
            Map<String, Object> wrap = response == null ? null : (Map<String, Object>) response.get("wrap_info");
            if (wrap == null || wrap.get("token") == null || wrap.get("wrapped_accessor") == null) {
                throw new VaultException("auth/token/create/" + role + " answered without wrap_info");
            }
            sample.stop(meters.timer(MetricNames.CREDENTIALS_ISSUED, "outcome", "issued"));
            long wrapTtl = ((Number) wrap.getOrDefault("ttl", properties.wrapTtl().toSeconds())).longValue();
            return new Issued(new Handover(properties.uri().toString(), (String) wrap.get("token"), wrapTtl, paths),
                    (String) wrap.get("wrapped_accessor"), role, now.plus(ttl));
        } catch (VaultException | HttpStatusCodeException | ResourceAccessException e) {
            sample.stop(meters.timer(MetricNames.CREDENTIALS_ISSUED, "outcome", "failed"));
            log.warn("Vault did not issue a token for investigation {} attempt {} (role {}): {}", investigationId,
                    attempt, role, describe(e));
            throw new ApiException(ProblemType.SERVICE_UNAVAILABLE,
                    "Vault did not issue the worker's credentials; retry the registration.");
        }
    }

    /** Stores and audits an issued token with its attempt, in the caller's transaction. */
    public void record(UUID investigationId, int attempt, TrustPhase phase, Issued issued, String actor) {
        jdbc.sql("""
                        INSERT INTO vault_tokens (accessor, investigation_id, attempt, token_role, trust_phase, issued_at,
                            expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .params(issued.accessor(), investigationId, attempt, issued.role(), phase.name(),
                        Timestamp.from(clock.instant()), Timestamp.from(issued.expiresAt()))
                .update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("attempt", attempt);
        details.put("accessor", issued.accessor());
        details.put("tokenRole", issued.role());
        details.put("policies", properties.policies(phase));
        details.put("expiresAt", issued.expiresAt().toString());
        details.put("wrapTtlSeconds", issued.handover().wrapTtlSeconds());
        audit.append(actor, "credentials.issued", investigationId, details);
        outstanding.incrementAndGet();
    }

    /** Revokes every token of an investigation still standing. */
    public void revokeAll(UUID investigationId, String reason) {
        jdbc.sql("SELECT accessor FROM vault_tokens WHERE investigation_id = ? AND revoked_at IS NULL")
                .param(investigationId).query(String.class).list()
                .forEach(accessor -> revokeAccessor(investigationId, accessor, reason));
    }

    /**
     * Revokes one token and, with it, every lease created with it. A token Vault no longer knows
     * (revoked by its worker, expired) counts as revoked.
     *
     * @return whether it is revoked now
     */
    public boolean revokeAccessor(UUID investigationId, String accessor, String reason) {
        String outcome;
        try {
            vault.write("auth/token/revoke-accessor", Map.of("accessor", accessor));
            outcome = "revoked";
        } catch (VaultException | HttpStatusCodeException e) {
            if (!String.valueOf(e.getMessage()).contains("invalid accessor")) {
                meters.counter(MetricNames.CREDENTIALS_REVOKED, "outcome", "failed").increment();
                log.warn("Vault did not revoke accessor {} of investigation {}: {}", accessor, investigationId,
                        describe(e));
                return false;
            }
            outcome = "gone";
        } catch (ResourceAccessException e) {
            meters.counter(MetricNames.CREDENTIALS_REVOKED, "outcome", "failed").increment();
            log.warn("Vault unreachable revoking accessor {} of investigation {}: {}", accessor, investigationId,
                    describe(e));
            return false;
        }
        String result = outcome;
        transactions.executeWithoutResult(status -> {
            audit.lock();
            int changed = jdbc.sql("""
                            UPDATE vault_tokens SET revoked_at = ?, revoke_reason = ?
                            WHERE accessor = ? AND revoked_at IS NULL""")
                    .params(Timestamp.from(clock.instant()), reason, accessor).update();
            if (changed > 0) {
                audit.append("nightshift", "credentials.revoked", investigationId,
                        Map.of("accessor", accessor, "reason", reason, "vault", result));
            }
        });
        meters.counter(MetricNames.CREDENTIALS_REVOKED, "outcome", outcome).increment();
        return true;
    }

    /** The investigation ended: its tokens go, whatever the reason it ended. */
    @TransactionalEventListener(fallbackExecution = true)
    void onEnded(InvestigationService.InvestigationEnded ended) {
        revokeAll(ended.id(), "investigation " + ended.status().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Retries what could not be revoked at the end, and keeps the outstanding gauge true. */
    @Scheduled(fixedDelayString = "${nightshift.vault.sweep-interval:30s}")
    public void sweep() {
        jdbc.sql("""
                        SELECT t.investigation_id, t.accessor, i.status FROM vault_tokens t
                        JOIN investigations i ON i.id = t.investigation_id
                        WHERE t.revoked_at IS NULL AND i.status IN ('SUCCEEDED', 'ESCALATED', 'FAILED', 'TIMED_OUT',
                            'CANCELLED')""")
                .query((rs, i) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}).list()
                .forEach(row -> revokeAccessor(UUID.fromString(row[0]), row[1], "investigation "
                        + row[2].toLowerCase(java.util.Locale.ROOT)));
        outstanding.set(jdbc.sql("SELECT count(*) FROM vault_tokens WHERE revoked_at IS NULL AND expires_at > ?")
                .param(Timestamp.from(clock.instant())).query(Long.class).single());
    }

    /**
     * A worker found its wrapping token already unwrapped: someone else holds its token. It is
     * revoked at once, and the alert goes to the history, the audit trail, the metrics and the webhooks.
     */
    public void intercepted(UUID investigationId, int attempt, String detail, String actor) {
        List<String> accessors = jdbc.sql("SELECT accessor FROM vault_tokens WHERE investigation_id = ? AND attempt = ?")
                .params(investigationId, attempt).query(String.class).list();
        accessors.forEach(accessor -> revokeAccessor(investigationId, accessor, "wrapping token intercepted"));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("attempt", attempt);
        details.put("accessors", accessors);
        details.put("detail", detail);
        transactions.executeWithoutResult(status -> {
            audit.lock();
            audit.append(actor, "credentials.intercepted", investigationId, details);
            events.appendServerEvent(investigationId, CREDENTIAL_ALERT, details);
            notifications.enqueue(Event.CREDENTIAL_ALERT, investigationId, "credential alert: the Vault wrapping token "
                    + "of attempt " + attempt + " was unwrapped by someone else; its token is revoked", details);
        });
        meters.counter(MetricNames.CREDENTIAL_ALERTS).increment();
        log.error("Credential alert for investigation {} attempt {}: the wrapping token was unwrapped by someone "
                + "else; accessors {} revoked", investigationId, attempt, accessors);
    }

    /** Audits what a worker read: paths, outcomes, lease IDs and timings, never values. */
    public void reads(UUID investigationId, int attempt, List<Map<String, Object>> reads, String actor) {
        transactions.executeWithoutResult(status -> {
            audit.lock();
            audit.append(actor, "credentials.read", investigationId, Map.of("attempt", attempt, "reads", reads));
        });
    }

    private static String describe(Exception e) {
        String message = String.valueOf(e.getMessage());
        return message.length() > 300 ? message.substring(0, 300) : message;
    }
}
