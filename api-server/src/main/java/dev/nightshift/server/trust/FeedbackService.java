package dev.nightshift.server.trust;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.investigation.InvestigationNotFoundException;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.ProblemType;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Operators' verdicts on ended investigations: the ground truth the agent's diagnoses are scored
 * against. Each verdict is kept (the latest counts), appended to the history as
 * {@code FEEDBACK_RECORDED} and to the audit trail.
 */
@Service
public class FeedbackService {

    static final String FEEDBACK_RECORDED = "FEEDBACK_RECORDED";

    /** {@code Feedback}: {@code revision} counts this investigation's verdicts, from 1. */
    public record Feedback(long id, UUID investigationId, String verdict, String rootCauseCategory,
            String remediationClass, String comment, String actor, Instant recordedAt, int revision) {}

    private final JdbcClient jdbc;
    private final TrustService trust;
    private final EventStore events;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final Clock clock;

    FeedbackService(JdbcClient jdbc, TrustService trust, EventStore events, AuditLog audit,
            PlatformTransactionManager transactionManager, Clock clock) {
        this.jdbc = jdbc;
        this.trust = trust;
        this.events = events;
        this.audit = audit;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
    }

    /**
     * @throws InvestigationNotFoundException for an unknown investigation
     * @throws ApiException 409 while the investigation has not ended
     */
    public Feedback record(UUID investigationId, FeedbackRequest request, String actor) {
        Feedback recorded = transactions.execute(status -> {
            audit.lock();
            String state = jdbc.sql("SELECT status FROM investigations WHERE id = ? FOR UPDATE").param(investigationId)
                    .query(String.class).optional().orElseThrow(() -> new InvestigationNotFoundException(investigationId));
            if (!InvestigationStatus.valueOf(state).isTerminal()) {
                throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Investigation " + investigationId + " is "
                        + state + ": feedback is for investigations that have ended.");
            }
            Instant now = clock.instant();
            long id = jdbc.sql("""
                            INSERT INTO investigation_feedback (investigation_id, verdict, root_cause_category,
                                remediation_class, comment, actor, recorded_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                    .params(investigationId, request.verdict().name(), request.rootCauseCategory(),
                            request.remediationClass(), request.comment(), actor, Timestamp.from(now))
                    .query(Long.class).single();
            int revision = jdbc.sql("SELECT count(*) FROM investigation_feedback WHERE investigation_id = ?")
                    .param(investigationId).query(Integer.class).single();
            Feedback feedback = new Feedback(id, investigationId, request.verdict().name(), request.rootCauseCategory(),
                    request.remediationClass(), request.comment(), actor, now, revision);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("verdict", feedback.verdict());
            details.put("rootCauseCategory", feedback.rootCauseCategory());
            details.put("remediationClass", feedback.remediationClass());
            details.put("comment", feedback.comment());
            details.put("revision", revision);
            events.appendServerEvent(investigationId, FEEDBACK_RECORDED, details);
            audit.append(actor, "feedback.recorded", investigationId, details);
            return feedback;
        });
        // The verdict is ground truth: it may show that accuracy fell below the demotion threshold.
        trust.checkDemotion(actor, investigationId);
        return recorded;
    }
}
