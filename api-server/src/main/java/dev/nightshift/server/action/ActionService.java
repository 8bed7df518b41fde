package dev.nightshift.server.action;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.investigation.InvestigationNotFoundException;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.notify.NotificationProperties.Event;
import dev.nightshift.server.notify.Notifications;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.MetricNames;
import dev.nightshift.server.system.ProblemType;
import dev.nightshift.server.system.UuidV7;
import dev.nightshift.server.trust.TrustPhase;
import dev.nightshift.server.trust.TrustService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The action gateway: every proposal, from the catalogue or held by the kubectl proxy, gets one
 * policy decision, is stored, audited and appended to its investigation's history
 * ({@value #ACTION_PROPOSED}, {@value #ACTION_DECIDED}, {@value #ACTION_EXECUTED}); what waits for
 * a human waits until approved, rejected or expired; what is approved is carried out by the
 * {@link Executor} as the executor identity. An out-of-scope proposal demotes trust; a rate limit,
 * a window or a human's rejection never does.
 */
public class ActionService {

    static final String ACTION_PROPOSED = "ACTION_PROPOSED";
    static final String ACTION_DECIDED = "ACTION_DECIDED";
    static final String ACTION_EXECUTED = "ACTION_EXECUTED";
    static final String SYSTEM = "nightshift";
    /** An approval whose execution never reported back (the server stopped meanwhile) is failed after this. */
    static final Duration INTERRUPTED_AFTER = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(ActionService.class);

    /** A kubectl call the proxy classified as a write, as it will be held and replayed. */
    record HeldCall(String verb, String resource, String namespace, String name, ActionKind.Risk risk,
            List<String> reasons, String method, String path, String contentType, String body) {}

    private final JdbcClient jdbc;
    private final ActionPolicy policy;
    private final ActionProperties properties;
    private final Cluster cluster;
    private final Executor executor;
    private final TrustService trust;
    private final AuditLog audit;
    private final EventStore events;
    private final Notifications notifications;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final AtomicLong pending = new AtomicLong();
    private final UuidV7 ids = new UuidV7();

    ActionService(JdbcClient jdbc, ActionPolicy policy, ActionProperties properties, Cluster cluster, Executor executor,
            TrustService trust, AuditLog audit, EventStore events, Notifications notifications,
            PlatformTransactionManager transactionManager, Clock clock, ObjectMapper json, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.policy = policy;
        this.properties = properties;
        this.cluster = cluster;
        this.executor = executor;
        this.trust = trust;
        this.audit = audit;
        this.events = events;
        this.notifications = notifications;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
        this.json = json;
        this.meters = meters;
        Gauge.builder(MetricNames.APPROVALS_PENDING, pending, AtomicLong::get)
                .description("Actions and held kubectl calls waiting for a human").register(meters);
    }

    /**
     * Decides a worker's proposal and, when the policy approves it outright, carries it out.
     *
     * @throws ApiException 503 when the cluster, needed to judge the target, does not answer
     */
    public Action propose(UUID investigationId, ActionRequest request, String actor) {
        Map<String, String> labels = Map.of();
        Integer current = null;
        if (cluster != null && request.namespace() != null) {
            try {
                labels = cluster.namespaceLabels(request.namespace());
                if (request.kind() == ActionKind.SCALE_DEPLOYMENT) {
                    JsonNode deployment = cluster.get(null, "/apis/apps/v1/namespaces/"
                            + request.namespace() + "/deployments/" + request.name());
                    current = deployment == null ? null : deployment.path("spec").path("replicas").asInt(1);
                }
            } catch (IOException e) {
                throw new ApiException(ProblemType.SERVICE_UNAVAILABLE,
                        "The Kubernetes API did not answer; the proposal was not recorded. Retry later.");
            }
        }
        Integer currentReplicas = current;
        ActionPolicy.Proposal proposal = new ActionPolicy.Proposal(request.kind(), request.namespace(), labels,
                request.name(), (Integer) request.parameters().get("replicas"), currentReplicas);
        ActionPolicy.Decision[] decision = new ActionPolicy.Decision[1];
        Action stored = transactions.execute(status -> {
            audit.lock();
            TrustPhase phase = phaseOf(investigationId);
            decision[0] = policy.decide(phase, proposal, usage(investigationId), now());
            Map<String, Object> parameters = new LinkedHashMap<>(request.parameters());
            if (currentReplicas != null) {
                parameters.put("currentReplicas", currentReplicas);
            }
            return insert(investigationId, Action.Source.GATEWAY, request.kind().wire(), request.kind().risk(),
                    request.kind().verb(), request.kind().resource(), request.namespace(), request.name(), parameters,
                    request.rationale(), phase, decision[0], actor);
        });
        if (decision[0].outOfScope()) {
            trust.demote("out-of-scope action proposed: " + decision[0].reason(), actor, investigationId);
        }
        return stored.status() == Action.Status.APPROVED ? execute(stored) : stored;
    }

    /** Records a kubectl write the proxy holds, decided by the same policy; carries it out if approved outright. */
    Action hold(UUID investigationId, HeldCall call, String actor) {
        Action stored = transactions.execute(status -> {
            audit.lock();
            TrustPhase phase = phaseOf(investigationId);
            ActionPolicy.Decision decision = policy.decideCall(phase, call.risk(), usage(investigationId), now());
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("method", call.method());
            parameters.put("path", call.path());
            parameters.put("contentType", call.contentType());
            parameters.put("body", call.body());
            parameters.put("heldBecause", call.reasons());
            return insert(investigationId, Action.Source.PROXY, Action.KUBECTL, call.risk(), call.verb(),
                    call.resource(), call.namespace(), call.name(), parameters, null, phase, decision, actor);
        });
        return stored.status() == Action.Status.APPROVED ? execute(stored) : stored;
    }

    public Action approve(UUID id, String reason, String actor) {
        Action approved = decide(id, Action.Status.APPROVED, reason, actor);
        return execute(approved);
    }

    public Action reject(UUID id, String reason, String actor) {
        return decide(id, Action.Status.REJECTED, reason, actor);
    }

    /**
     * Undoes an executed scale, HPA change or cordon by restoring the state it found; a rollback
     * counts against the trust gates and may demote.
     *
     * @throws ApiException 409 for an action not executed or not reversible, 502 when the cluster refuses
     */
    public Action rollback(UUID id, String reason, String actor) {
        Action action = get(id);
        if (action.status() != Action.Status.EXECUTED) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Action " + id + " is " + action.status()
                    + ": only an executed action can be rolled back.");
        }
        if (!Executor.reversible(action)) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "A " + action.kind()
                    + " cannot be undone by Nightshift.");
        }
        Executor.Outcome outcome = executor.rollback(action);
        if (!outcome.ok()) {
            transactions.executeWithoutResult(status -> {
                audit.lock();
                audit.append(actor, "action.rollback-failed", action.investigationId(),
                        Map.of("actionId", id.toString(), "reason", outcome.reason()));
            });
            throw new ApiException(ProblemType.UPSTREAM_FAILED, "The rollback failed: " + outcome.reason());
        }
        Action rolledBack = transactions.execute(status -> {
            audit.lock();
            int changed = jdbc.sql("""
                            UPDATE actions SET status = 'ROLLED_BACK', rolled_back_by = ?, rolled_back_at = ?,
                                rollback_reason = ? WHERE id = ? AND status = 'EXECUTED'""")
                    .params(actor, Timestamp.from(clock.instant()), reason, id).update();
            if (changed == 0) {
                throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Action " + id + " was rolled back meanwhile.");
            }
            Map<String, Object> details = details(id, Action.Status.ROLLED_BACK, reason, actor);
            details.put("result", outcome.result());
            audit.append(actor, "action.rolled-back", action.investigationId(), details);
            events.appendServerEvent(action.investigationId(), ACTION_EXECUTED, details);
            return get(id);
        });
        meters.counter(MetricNames.ACTIONS_EXECUTED, "outcome", "rolled-back").increment();
        trust.checkRollbackRate(actor, action.investigationId());
        return rolledBack;
    }

    public Action get(UUID id) {
        return jdbc.sql("SELECT * FROM actions WHERE id = ?").param(id).query(this::map).optional()
                .orElseThrow(() -> new ApiException(ProblemType.NOT_FOUND, "No action " + id + "."));
    }

    /** Newest first; shadow-phase actions only for those who see shadow results. */
    public List<Action> list(Action.Status status, UUID investigationId, boolean seesShadow, int limit) {
        return jdbc.sql("""
                        SELECT * FROM actions
                        WHERE (?::varchar IS NULL OR status = ?::varchar) AND (?::uuid IS NULL OR investigation_id = ?::uuid)
                          AND (? OR trust_phase <> 'SHADOW')
                        ORDER BY proposed_at DESC, id DESC LIMIT ?""")
                .params(status == null ? null : status.name(), status == null ? null : status.name(), investigationId,
                        investigationId, seesShadow, limit)
                .query(this::map).list();
    }

    /** The current status, as a held kubectl call polls it while it waits. */
    Action.Status statusOf(UUID id) {
        return jdbc.sql("SELECT status FROM actions WHERE id = ?").param(id).query(String.class).optional()
                .map(Action.Status::valueOf).orElseThrow();
    }

    /** Expires what waited too long and fails approvals whose execution never reported back. */
    @Scheduled(fixedDelayString = "${nightshift.actions.sweep-interval:5s}")
    public void sweep() {
        Instant now = clock.instant();
        boolean due = jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM actions WHERE status = 'PENDING_APPROVAL' AND expires_at <= ?)
                            OR EXISTS (SELECT 1 FROM actions WHERE status = 'APPROVED' AND decided_at <= ?)""")
                .params(Timestamp.from(now), Timestamp.from(now.minus(INTERRUPTED_AFTER))).query(Boolean.class).single();
        if (due) {
            expire(null);
            transactions.executeWithoutResult(status -> {
                audit.lock();
                jdbc.sql("""
                                UPDATE actions SET status = 'FAILED', executed_at = ?,
                                    result = '{"error": "the execution never reported back"}'::jsonb
                                WHERE status = 'APPROVED' AND decided_at <= ? RETURNING id, investigation_id""")
                        .params(Timestamp.from(now), Timestamp.from(now.minus(INTERRUPTED_AFTER)))
                        .query((rs, i) -> Map.entry(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).list()
                        .forEach(failed -> record(failed.getKey(), failed.getValue(), Action.Status.FAILED,
                                "the execution never reported back", SYSTEM, "action.failed", ACTION_EXECUTED));
            });
        }
        pending.set(jdbc.sql("SELECT count(*) FROM actions WHERE status = 'PENDING_APPROVAL'").query(Long.class).single());
    }

    /** Expires one waiting action past its time, or all of them ({@code id} null). */
    void expire(UUID id) {
        Instant now = clock.instant();
        transactions.executeWithoutResult(status -> {
            audit.lock();
            jdbc.sql("""
                            UPDATE actions SET status = 'EXPIRED', decided_by = ?, decided_at = ?,
                                decision_reason = 'nobody decided before ' || to_char(expires_at AT TIME ZONE 'UTC',
                                    'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                            WHERE status = 'PENDING_APPROVAL' AND expires_at <= ? AND (?::uuid IS NULL OR id = ?::uuid)
                            RETURNING id, investigation_id, decision_reason""")
                    .params(SYSTEM, Timestamp.from(now), Timestamp.from(now), id, id)
                    .query((rs, i) -> new Object[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            rs.getString(3)}).list()
                    .forEach(row -> record((UUID) row[0], (UUID) row[1], Action.Status.EXPIRED, (String) row[2], SYSTEM,
                            "action.expired", ACTION_DECIDED));
        });
    }

    private Action decide(UUID id, Action.Status to, String reason, String actor) {
        String[] expired = new String[1];
        Action decided = transactions.execute(status -> {
            audit.lock();
            Action action = jdbc.sql("SELECT * FROM actions WHERE id = ? FOR UPDATE").param(id).query(this::map)
                    .optional().orElseThrow(() -> new ApiException(ProblemType.NOT_FOUND, "No action " + id + "."));
            if (action.status() != Action.Status.PENDING_APPROVAL) {
                throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Action " + id + " is "
                        + action.status() + ": only a pending action can be approved or rejected.");
            }
            Instant now = clock.instant();
            if (!action.expiresAt().isAfter(now)) {
                expired[0] = action.expiresAt().toString();
                return null;
            }
            jdbc.sql("UPDATE actions SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?")
                    .params(to.name(), actor, Timestamp.from(now), reason, id).update();
            record(id, action.investigationId(), to, reason, actor,
                    to == Action.Status.APPROVED ? "action.approved" : "action.rejected", ACTION_DECIDED);
            return get(id);
        });
        if (expired[0] != null) {
            expire(id);
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Action " + id + " expired at " + expired[0]
                    + " before it was decided.");
        }
        return decided;
    }

    private Action execute(Action approved) {
        Executor.Outcome outcome = executor.execute(approved);
        Action.Status to = outcome.ok() ? Action.Status.EXECUTED : Action.Status.FAILED;
        meters.counter(MetricNames.ACTIONS_EXECUTED, "outcome", outcome.ok() ? "executed" : "failed").increment();
        if (!outcome.ok()) {
            log.warn("Action {} of investigation {} failed: {}", approved.id(), approved.investigationId(),
                    outcome.reason());
        }
        return transactions.execute(status -> {
            audit.lock();
            Map<String, Object> result = new LinkedHashMap<>(outcome.result());
            result.put("summary", outcome.reason());
            jdbc.sql("UPDATE actions SET status = ?, executed_at = ?, result = ?::jsonb WHERE id = ? AND status = 'APPROVED'")
                    .params(to.name(), Timestamp.from(clock.instant()), json.writeValueAsString(result), approved.id())
                    .update();
            Map<String, Object> details = details(approved.id(), to, outcome.reason(), executorName());
            details.put("httpStatus", outcome.result().get("httpStatus"));
            audit.append(executorName(), outcome.ok() ? "action.executed" : "action.failed", approved.investigationId(),
                    details);
            events.appendServerEvent(approved.investigationId(), ACTION_EXECUTED, details);
            return get(approved.id());
        });
    }

    private String executorName() {
        return cluster == null ? SYSTEM : cluster.executor();
    }

    private Action insert(UUID investigationId, Action.Source source, String kind, ActionKind.Risk risk, String verb,
            String resource, String namespace, String name, Map<String, Object> parameters, String rationale,
            TrustPhase phase, ActionPolicy.Decision decision, String actor) {
        Instant now = clock.instant();
        UUID id = ids.next(now);
        Action.Status status = Action.Status.valueOf(decision.outcome().name());
        Duration ttl = source == Action.Source.PROXY ? properties.holdTimeout() : properties.approvalTtl();
        jdbc.sql("""
                        INSERT INTO actions (id, investigation_id, source, kind, risk, verb, resource, namespace, name,
                            parameters, rationale, trust_phase, status, policy_reason, out_of_scope, proposed_by,
                            proposed_at, expires_at, decided_by, decided_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, investigationId, source.name(), kind, risk.name(), verb, resource, namespace, name,
                        json.writeValueAsString(parameters), rationale, phase.name(), status.name(), decision.reason(),
                        decision.outOfScope(), actor, Timestamp.from(now),
                        status == Action.Status.PENDING_APPROVAL ? Timestamp.from(now.plus(ttl)) : null,
                        status == Action.Status.PENDING_APPROVAL ? null : "policy",
                        status == Action.Status.PENDING_APPROVAL ? null : Timestamp.from(now))
                .update();
        Map<String, Object> proposed = new LinkedHashMap<>();
        proposed.put("actionId", id.toString());
        proposed.put("source", source.name());
        proposed.put("kind", kind);
        proposed.put("risk", risk.name());
        proposed.put("verb", verb);
        proposed.put("resource", resource);
        proposed.put("namespace", namespace);
        proposed.put("name", name);
        proposed.put("parameters", source == Action.Source.PROXY ? Map.of("method", parameters.get("method"),
                "path", parameters.get("path")) : parameters);
        proposed.put("rationale", rationale);
        audit.append(actor, "action.proposed", investigationId, proposed);
        events.appendServerEvent(investigationId, ACTION_PROPOSED, proposed);
        Map<String, Object> decided = details(id, status, decision.reason(), "policy");
        decided.put("outOfScope", decision.outOfScope());
        decided.put("trustPhase", phase.name());
        if (status == Action.Status.PENDING_APPROVAL) {
            decided.put("expiresAt", now.plus(ttl).toString());
            Map<String, Object> notice = new LinkedHashMap<>(proposed);
            notice.put("expiresAt", now.plus(ttl).toString());
            notifications.enqueue(Event.APPROVAL_REQUESTED, investigationId, "approval requested: " + verb + " "
                    + resource + (name == null ? "" : "/" + name) + (namespace == null ? "" : " in " + namespace)
                    + " (" + risk.name().toLowerCase(java.util.Locale.ROOT) + " risk), expires " + now.plus(ttl)
                    + "; action " + id,
                    notice);
        }
        audit.append("policy", "action.decided", investigationId, decided);
        events.appendServerEvent(investigationId, ACTION_DECIDED, decided);
        meters.counter(MetricNames.ACTIONS_PROPOSED, "source", source.name().toLowerCase(java.util.Locale.ROOT),
                "outcome", status.name().toLowerCase(java.util.Locale.ROOT)).increment();
        return get(id);
    }

    private void record(UUID id, UUID investigationId, Action.Status status, String reason, String actor,
            String auditAction, String eventType) {
        Map<String, Object> details = details(id, status, reason, actor);
        audit.append(actor, auditAction, investigationId, details);
        events.appendServerEvent(investigationId, eventType, details);
    }

    private static Map<String, Object> details(UUID id, Action.Status status, String reason, String actor) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("actionId", id.toString());
        details.put("status", status.name());
        details.put("reason", reason);
        details.put("actor", actor);
        return details;
    }

    /** The cluster, or null when none is configured. */
    Cluster cluster() {
        return cluster;
    }

    /** The phase the proposal is judged in: the investigation's, or the runtime ceiling if a demotion lowered it. */
    TrustPhase phaseOf(UUID investigationId) {
        String[] row = jdbc.sql("SELECT status, trust_phase FROM investigations WHERE id = ?").param(investigationId)
                .query((rs, i) -> new String[] {rs.getString(1), rs.getString(2)}).optional()
                .orElseThrow(() -> new InvestigationNotFoundException(investigationId));
        if (InvestigationStatus.valueOf(row[0]).isTerminal()) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Investigation " + investigationId + " is "
                    + row[0] + ": actions are proposed while it runs.");
        }
        TrustPhase phase = TrustPhase.valueOf(row[1]);
        TrustPhase effective = trust.effectivePhase();
        return effective.ordinal() < phase.ordinal() ? effective : phase;
    }

    private ActionPolicy.Usage usage(UUID investigationId) {
        return jdbc.sql("""
                        SELECT count(*) FILTER (WHERE investigation_id = ?), count(*) FILTER (WHERE proposed_at > ?)
                        FROM actions WHERE status <> 'RATE_LIMITED'""")
                .params(investigationId, Timestamp.from(clock.instant().minus(Duration.ofHours(1))))
                .query((rs, i) -> new ActionPolicy.Usage(rs.getInt(1), rs.getInt(2))).single();
    }

    private LocalTime now() {
        return LocalTime.ofInstant(clock.instant(), ZoneId.systemDefault());
    }

    private Action map(ResultSet rs, int row) throws SQLException {
        return new Action(rs.getObject("id", UUID.class), rs.getObject("investigation_id", UUID.class),
                Action.Source.valueOf(rs.getString("source")), rs.getString("kind"),
                ActionKind.Risk.valueOf(rs.getString("risk")), rs.getString("verb"), rs.getString("resource"),
                rs.getString("namespace"), rs.getString("name"), json.readTree(rs.getString("parameters")),
                rs.getString("rationale"), TrustPhase.valueOf(rs.getString("trust_phase")),
                Action.Status.valueOf(rs.getString("status")), rs.getString("policy_reason"),
                rs.getBoolean("out_of_scope"), rs.getString("proposed_by"), instant(rs, "proposed_at"),
                instant(rs, "expires_at"), rs.getString("decided_by"), instant(rs, "decided_at"),
                rs.getString("decision_reason"), instant(rs, "executed_at"),
                rs.getString("result") == null ? null : json.readTree(rs.getString("result")),
                rs.getString("rolled_back_by"), instant(rs, "rolled_back_at"), rs.getString("rollback_reason"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
