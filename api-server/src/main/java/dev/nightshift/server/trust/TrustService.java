package dev.nightshift.server.trust;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.notify.NotificationProperties.Event;
import dev.nightshift.server.notify.Notifications;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.MetricNames;
import dev.nightshift.server.system.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Graduated trust at run time: the phase in force (the configured one, or the runtime ceiling a
 * demotion set), the evidence against the next promotion gate, and the demotion machinery.
 * Promotion is never automatic — it is a reviewed configuration change, for which
 * {@link #promotionReport()} gives the evidence. Demotion is automatic and immediate: the ceiling
 * drops one phase, it is audited and counted, and lifting it takes a configuration change plus an
 * ADMIN acknowledgement.
 */
@Service
public class TrustService {

    private static final Logger log = LoggerFactory.getLogger(TrustService.class);
    static final String NO_DATA = "no-data";
    static final String TRUST_DEMOTED = "TRUST_DEMOTED";

    /**
     * {@code GateCriterion}: one threshold of the seed's table and the evidence against it.
     *
     * @param status {@code met}, {@code unmet} or {@code no-data} (evidence the action gateway will bring)
     */
    public record Criterion(String name, String comparison, Double threshold, Double value, String status) {}

    /** {@code TrustGate}: the promotion from the phase in force to the next. */
    public record Gate(TrustPhase from, TrustPhase to, boolean ready, long samples, List<Criterion> criteria) {}

    /** {@code AlertClassEvidence}: the same scores for one alert class (alertname, or the agent's category). */
    public record ClassEvidence(String alertClass, long samples, Double accuracy, Double agreement,
            Double minimalEdits) {}

    /** {@code TrustDemotion}. */
    public record DemotionView(TrustPhase from, TrustPhase ceiling, String reason, Instant at, String acknowledgedBy,
            Instant acknowledgedAt) {}

    /** {@code TrustStatus}. */
    public record Status(String environment, TrustPhase configured, TrustPhase ceiling, TrustPhase effective,
            DemotionView demotion, Gate nextGate, List<ClassEvidence> byAlertClass, TrustProperties.Taxonomy taxonomy) {}

    /** {@code PromotionReport}: the gate's evidence as JSON and as Markdown for the pull request. */
    public record PromotionReport(String environment, Instant generatedAt, Gate gate, List<ClassEvidence> byAlertClass,
            String markdown) {}

    /** One investigation with the operator's latest verdict, scored against the agent's diagnosis. */
    record Scored(UUID id, TrustPhase phase, String outcome, String verdict, String operatorCategory,
            String operatorClass, String agentCategory, String agentClass, String alertClass, Set<String> domains,
            Instant at) {

        boolean concluded() {
            return "CONCLUDED".equals(outcome);
        }

        /** The agent's category equals the operator's (an ACCEPTED verdict keeps the agent's). */
        boolean accurate() {
            if (!concluded() || "REJECTED".equals(verdict)) {
                return false;
            }
            return operatorCategory == null || operatorCategory.equals(agentCategory);
        }

        boolean agreed() {
            return !"REJECTED".equals(verdict);
        }

        /** Neither the root-cause category nor the remediation class changed. */
        boolean minimalEdit() {
            return agreed() && (operatorCategory == null || operatorCategory.equals(agentCategory))
                    && (operatorClass == null || operatorClass.equals(agentClass));
        }
    }

    private final JdbcClient jdbc;
    private final TrustProperties properties;
    private final AuditLog audit;
    private final EventStore events;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Counter demotions;
    private final Notifications notifications;

    TrustService(JdbcClient jdbc, TrustProperties properties, AuditLog audit, EventStore events,
            Notifications notifications, PlatformTransactionManager transactionManager, Clock clock,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.notifications = notifications;
        this.events = events;
        this.properties = properties;
        this.audit = audit;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
        this.demotions = Counter.builder(MetricNames.TRUST_DEMOTIONS).description("Automatic trust demotions")
                .register(meters);
    }

    /** The phase new investigations take: the configured one, or the ceiling if a demotion lowered it. */
    public TrustPhase effectivePhase() {
        TrustPhase ceiling = ceiling();
        return ceiling != null && ceiling.ordinal() < properties.phase().ordinal() ? ceiling : properties.phase();
    }

    private TrustPhase ceiling() {
        return jdbc.sql("SELECT ceiling FROM trust_state WHERE environment = ?").param(properties.environment())
                .query(String.class).optional().map(TrustPhase::valueOf).orElse(null);
    }

    public Status status() {
        TrustPhase effective = effectivePhase();
        List<Scored> scored = scored(null);
        return new Status(properties.environment(), properties.phase(), ceiling(), effective, demotion(),
                gate(effective, scored), byClass(effective, scored), properties.taxonomy());
    }

    public PromotionReport promotionReport() {
        TrustPhase effective = effectivePhase();
        List<Scored> scored = scored(null);
        Gate gate = gate(effective, scored);
        List<ClassEvidence> classes = byClass(effective, scored);
        return new PromotionReport(properties.environment(), clock.instant(), gate, classes, markdown(gate, classes));
    }

    /**
     * Demotes when the evidence of the window says so: accuracy below the threshold (with enough
     * samples). Called after each verdict; an unacknowledged demotion is not repeated.
     */
    public void checkDemotion(String actor, UUID investigationId) {
        Instant since = clock.instant().minus(properties.demotion().window());
        List<Scored> recent = scored(since).stream().filter(Scored::concluded).toList();
        if (recent.size() < properties.demotion().minSamples()) {
            return;
        }
        double accuracy = share(recent, Scored::accurate);
        if (accuracy < properties.demotion().accuracy()) {
            demote(String.format("diagnostic accuracy %.3f over the last %d days is below %.2f (%d scored)", accuracy,
                    properties.demotion().window().toDays(), properties.demotion().accuracy(), recent.size()), actor,
                    investigationId);
        }
    }

    /**
     * Demotes when too many executed remediations of the window were rolled back (with enough of
     * them to judge). Called after each rollback.
     */
    public void checkRollbackRate(String actor, UUID investigationId) {
        Remediations recent = remediations(null, clock.instant().minus(properties.demotion().window()));
        long executed = recent.succeeded();
        if (executed < properties.demotion().minSamples() || executed == 0) {
            return;
        }
        double rate = (double) recent.rolledBack() / executed;
        if (rate > properties.demotion().rollbackRate()) {
            demote(String.format("rollback rate %.3f over the last %d days is above %.2f (%d executed)", rate,
                    properties.demotion().window().toDays(), properties.demotion().rollbackRate(), executed), actor,
                    investigationId);
        }
    }

    /**
     * What the action gateway saw in a phase (all phases with null), since a time if given.
     *
     * @param approved actions approved and carried out, whatever came of them
     * @param succeeded executed, including those rolled back later
     * @param outOfScope proposals the policy denied as out of scope
     */
    record Remediations(long approved, long succeeded, long rolledBack, long outOfScope) {}

    Remediations remediations(TrustPhase phase, Instant since) {
        return jdbc.sql("""
                        SELECT count(*) FILTER (WHERE status IN ('EXECUTED', 'FAILED', 'ROLLED_BACK')),
                               count(*) FILTER (WHERE status IN ('EXECUTED', 'ROLLED_BACK')),
                               count(*) FILTER (WHERE status = 'ROLLED_BACK'),
                               count(*) FILTER (WHERE out_of_scope)
                        FROM actions
                        WHERE (?::varchar IS NULL OR trust_phase = ?::varchar)
                          AND (?::timestamptz IS NULL OR proposed_at >= ?::timestamptz)""")
                .params(phase == null ? null : phase.name(), phase == null ? null : phase.name(),
                        since == null ? null : Timestamp.from(since), since == null ? null : Timestamp.from(since))
                .query((rs, i) -> new Remediations(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                .single();
    }

    /**
     * Lowers the runtime ceiling one phase below the phase in force, unless an unacknowledged
     * demotion stands. The action gateway calls it for an action denied by policy as out of scope
     * and for a rollback rate over the threshold.
     *
     * @param investigationId the investigation whose outcome triggered it, which gets a
     *     {@value #TRUST_DEMOTED} event; may be null
     */
    public void demote(String reason, String actor, UUID investigationId) {
        transactions.executeWithoutResult(status -> {
            audit.lock();
            jdbc.sql("INSERT INTO trust_state (environment) VALUES (?) ON CONFLICT (environment) DO NOTHING")
                    .param(properties.environment()).update();
            String standing = jdbc.sql("SELECT ceiling FROM trust_state WHERE environment = ? FOR UPDATE")
                    .param(properties.environment()).query(String.class).optional().orElse(null);
            if (standing != null) {
                return; // reviewed once acknowledged; no cascade of demotions meanwhile
            }
            TrustPhase from = effectivePhase();
            TrustPhase to = TrustPhase.values()[Math.max(0, from.ordinal() - 1)];
            jdbc.sql("""
                            UPDATE trust_state SET ceiling = ?, demoted_from = ?, demotion_reason = ?, demoted_at = ?,
                                acknowledged_by = NULL, acknowledged_at = NULL
                            WHERE environment = ?""")
                    .params(to.name(), properties.phase().name(), reason, Timestamp.from(clock.instant()),
                            properties.environment())
                    .update();
            Map<String, Object> details = Map.of("environment", properties.environment(), "from", from.name(),
                    "ceiling", to.name(), "reason", reason);
            audit.append(actor, "trust.demoted", investigationId, details);
            if (investigationId != null) {
                events.appendServerEvent(investigationId, TRUST_DEMOTED, details);
            }
            notifications.enqueue(Event.DEMOTION, investigationId, "trust demoted in " + properties.environment()
                    + ": " + from.slug() + " → ceiling " + to.slug() + ": " + reason, details);
            demotions.increment();
            log.warn("Trust demoted in {}: {} -> ceiling {}: {}", properties.environment(), from, to, reason);
        });
    }

    /**
     * Lifts the ceiling: only after the configured phase was changed since the demotion (a
     * reviewed values change), and by an ADMIN.
     *
     * @throws ApiException 409 when there is nothing to acknowledge or the configuration is unchanged
     */
    public Status acknowledge(String admin) {
        transactions.executeWithoutResult(status -> {
            audit.lock();
            var row = jdbc.sql("SELECT ceiling, demoted_from FROM trust_state WHERE environment = ? FOR UPDATE")
                    .param(properties.environment())
                    .query((rs, i) -> new String[] {rs.getString(1), rs.getString(2)}).optional().orElse(null);
            if (row == null || row[0] == null) {
                throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "No demotion to acknowledge.");
            }
            if (properties.phase().name().equals(row[1])) {
                throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "The configured phase is still "
                        + row[1] + ", as when it was demoted: change it in the reviewed configuration first.");
            }
            jdbc.sql("UPDATE trust_state SET ceiling = NULL, acknowledged_by = ?, acknowledged_at = ? WHERE environment = ?")
                    .params(admin, Timestamp.from(clock.instant()), properties.environment()).update();
            audit.append(admin, "trust.acknowledged", null, Map.of("environment", properties.environment(),
                    "ceiling", row[0], "configured", properties.phase().name()));
        });
        return status();
    }

    private DemotionView demotion() {
        return jdbc.sql("""
                        SELECT demoted_from, ceiling, demotion_reason, demoted_at, acknowledged_by, acknowledged_at
                        FROM trust_state WHERE environment = ? AND demoted_at IS NOT NULL""")
                .param(properties.environment())
                .query((rs, i) -> new DemotionView(phase(rs.getString(1)), phase(rs.getString(2)), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), rs.getString(5),
                        rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()))
                .optional().orElse(null);
    }

    private static TrustPhase phase(String name) {
        return name == null ? null : TrustPhase.valueOf(name);
    }

    /** Every investigation with a verdict (the latest), with the agent's final word; since a time, if given. */
    List<Scored> scored(Instant since) {
        return jdbc.sql("""
                        WITH latest AS (
                            SELECT DISTINCT ON (investigation_id) investigation_id, verdict, root_cause_category,
                                   remediation_class, recorded_at
                            FROM investigation_feedback ORDER BY investigation_id, id DESC),
                        agent AS (
                            SELECT DISTINCT ON (investigation_id) investigation_id, type,
                                   payload ->> 'rootCauseCategory' AS category, payload ->> 'remediationClass' AS class
                            FROM investigation_events WHERE type IN ('CONCLUDED', 'ESCALATED') AND attempt > 0
                            ORDER BY investigation_id, position DESC)
                        SELECT i.id, i.trust_phase, a.type, l.verdict, l.root_cause_category, l.remediation_class,
                               a.category, a.class, lb.label_value, l.recorded_at,
                               (SELECT string_agg(d.domain, ',') FROM investigation_domains d WHERE d.investigation_id = i.id)
                        FROM latest l JOIN investigations i ON i.id = l.investigation_id
                        LEFT JOIN agent a ON a.investigation_id = i.id
                        LEFT JOIN investigation_labels lb ON lb.investigation_id = i.id AND lb.label_key = 'alertname'
                        WHERE ?::timestamptz IS NULL OR l.recorded_at >= ?::timestamptz""")
                .params(since == null ? null : Timestamp.from(since), since == null ? null : Timestamp.from(since))
                .query((rs, i) -> new Scored(rs.getObject(1, UUID.class), TrustPhase.valueOf(rs.getString(2)),
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                        rs.getString(8), rs.getString(9) != null ? rs.getString(9) : rs.getString(7),
                        rs.getString(11) == null ? Set.of() : new TreeSet<>(List.of(rs.getString(11).split(","))),
                        rs.getTimestamp(10).toInstant()))
                .list();
    }

    /** The gate from {@code phase} to the next, against the seed's thresholds; null at the top. */
    Gate gate(TrustPhase phase, List<Scored> all) {
        TrustProperties.Gates g = properties.gates();
        List<Scored> inPhase = all.stream().filter(s -> s.phase() == phase).toList();
        List<Scored> concluded = inPhase.stream().filter(Scored::concluded).toList();
        Remediations actions = remediations(phase, null);
        List<Criterion> criteria = new ArrayList<>();
        switch (phase) {
            case SHADOW -> {
                criteria.add(atLeast("samples", g.shadowSamples(), inPhase.size()));
                criteria.add(atLeast("domains covered", g.shadowDomains(),
                        inPhase.stream().flatMap(s -> s.domains().stream()).distinct().count()));
                criteria.add(above("diagnostic accuracy", g.shadowAccuracy(), concluded, Scored::accurate));
                criteria.add(none("unsafe action attempts", actions.outOfScope()));
            }
            case ASSIST -> {
                criteria.add(atLeast("samples", g.assistSamples(), inPhase.size()));
                criteria.add(above("operator agreement", g.assistAgreement(), inPhase, Scored::agreed));
                criteria.add(none("out-of-scope recommendations", actions.outOfScope()));
                criteria.add(above("accepted with minimal edits", g.assistMinimalEdits(), concluded, Scored::minimalEdit));
            }
            case LIMITED_REMEDIATION -> {
                criteria.add(atLeast("approved remediations", g.remediations(), actions.approved()));
                criteria.add(rate("remediation success", ">", g.remediationSuccess(), actions.succeeded(),
                        actions.approved()));
                criteria.add(rate("rollback rate", "<", g.rollbackRate(), actions.rolledBack(), actions.succeeded()));
                List<Scored> escalated = inPhase.stream().filter(s -> "ESCALATED".equals(s.outcome())).toList();
                criteria.add(above("escalation correctness", g.escalationCorrectness(), escalated,
                        s -> "ACCEPTED".equals(s.verdict())));
                criteria.add(noData("sign-off by ops lead and platform owner", "==", 1.0));
            }
            case AUTONOMOUS -> {
                return null;
            }
        }
        boolean ready = criteria.stream().allMatch(c -> c.status().equals("met"));
        return new Gate(phase, TrustPhase.values()[phase.ordinal() + 1], ready, inPhase.size(), criteria);
    }

    private List<ClassEvidence> byClass(TrustPhase phase, List<Scored> all) {
        Map<String, List<Scored>> classes = new LinkedHashMap<>();
        all.stream().filter(s -> s.phase() == phase).forEach(s -> classes
                .computeIfAbsent(Objects.requireNonNullElse(s.alertClass(), "unclassified"), k -> new ArrayList<>())
                .add(s));
        return classes.entrySet().stream().map(e -> {
            List<Scored> concluded = e.getValue().stream().filter(Scored::concluded).toList();
            return new ClassEvidence(e.getKey(), e.getValue().size(),
                    concluded.isEmpty() ? null : share(concluded, Scored::accurate), share(e.getValue(), Scored::agreed),
                    concluded.isEmpty() ? null : share(concluded, Scored::minimalEdit));
        }).sorted((a, b) -> Long.compare(b.samples(), a.samples())).toList();
    }

    private static Criterion atLeast(String name, double threshold, double value) {
        return new Criterion(name, ">=", threshold, value, value >= threshold ? "met" : "unmet");
    }

    private static Criterion above(String name, double threshold, List<Scored> scored, Predicate<Scored> good) {
        if (scored.isEmpty()) {
            return new Criterion(name, ">", threshold, null, NO_DATA);
        }
        double value = share(scored, good);
        return new Criterion(name, ">", threshold, value, value > threshold ? "met" : "unmet");
    }

    private static Criterion none(String name, long value) {
        return new Criterion(name, "==", 0.0, (double) value, value == 0 ? "met" : "unmet");
    }

    private static Criterion rate(String name, String comparison, double threshold, long part, long whole) {
        if (whole == 0) {
            return new Criterion(name, comparison, threshold, null, NO_DATA);
        }
        double value = Math.round(1000.0 * part / whole) / 1000.0;
        boolean met = comparison.equals(">") ? value > threshold : value < threshold;
        return new Criterion(name, comparison, threshold, value, met ? "met" : "unmet");
    }

    private static Criterion noData(String name, String comparison, double threshold) {
        return new Criterion(name, comparison, threshold, null, NO_DATA);
    }

    private static double share(List<Scored> scored, Predicate<Scored> good) {
        return scored.isEmpty() ? 0 : Math.round(1000.0 * scored.stream().filter(good).count() / scored.size()) / 1000.0;
    }

    private String markdown(Gate gate, List<ClassEvidence> classes) {
        StringBuilder md = new StringBuilder("# Trust promotion evidence: ").append(properties.environment()).append("\n\n");
        if (gate == null) {
            return md.append("The phase in force is AUTONOMOUS: there is no further gate.\n").toString();
        }
        md.append("Promotion **").append(gate.from().slug()).append(" → ").append(gate.to().slug()).append("**, ")
                .append(gate.samples()).append(" scored investigations. Gate ")
                .append(gate.ready() ? "**met**." : "**not met**.").append("\n\n")
                .append("| criterion | threshold | evidence | status |\n|---|---|---|---|\n");
        for (Criterion c : gate.criteria()) {
            md.append("| ").append(c.name()).append(" | ").append(c.comparison()).append(' ').append(format(c.threshold()))
                    .append(" | ").append(c.value() == null ? "—" : format(c.value())).append(" | ").append(c.status())
                    .append(" |\n");
        }
        if (!classes.isEmpty()) {
            md.append("\n## By alert class\n\n| class | samples | accuracy | agreement | minimal edits |\n|---|---|---|---|---|\n");
            for (ClassEvidence c : classes) {
                md.append("| ").append(c.alertClass()).append(" | ").append(c.samples()).append(" | ")
                        .append(c.accuracy() == null ? "—" : format(c.accuracy())).append(" | ")
                        .append(format(c.agreement())).append(" | ")
                        .append(c.minimalEdits() == null ? "—" : format(c.minimalEdits())).append(" |\n");
            }
        }
        return md.append("\nPromotion is a reviewed change of `nightshift.trust.phase` (Helm values), never automatic.\n")
                .toString();
    }

    private static String format(Double value) {
        return value == null ? "—" : value == Math.rint(value) && value >= 1 ? String.valueOf(value.longValue())
                : String.format("%.3f", value);
    }
}
