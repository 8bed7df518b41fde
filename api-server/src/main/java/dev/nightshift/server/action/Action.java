package dev.nightshift.server.action;

import dev.nightshift.server.trust.TrustPhase;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * {@code Action}: a gateway action or a held kubectl call, with every decision about it.
 *
 * @param kind a catalogue kind ({@code scale-deployment}) or {@code kubectl} for a proxied call
 * @param parameters what the kind needs ({@code replicas}); for a kubectl call its method, path and body
 * @param result what the execution answered and the state it left, once executed
 */
public record Action(UUID id, UUID investigationId, Source source, String kind, ActionKind.Risk risk, String verb,
        String resource, String namespace, String name, JsonNode parameters, String rationale, TrustPhase trustPhase,
        Status status, String policyReason, boolean outOfScope, String proposedBy, Instant proposedAt,
        Instant expiresAt, String decidedBy, Instant decidedAt, String decisionReason, Instant executedAt,
        JsonNode result, String rolledBackBy, Instant rolledBackAt, String rollbackReason) {

    /** Where it came from. */
    public enum Source { GATEWAY, PROXY }

    public static final String KUBECTL = "kubectl";

    /** Its lifecycle; the first five are the policy's outcomes. */
    public enum Status {
        RECORDED, DENIED_BY_POLICY, RATE_LIMITED, PENDING_APPROVAL, APPROVED, EXECUTED, FAILED, REJECTED, EXPIRED,
        ROLLED_BACK;

        /** Whether nothing more can happen to it but a rollback. */
        public boolean settled() {
            return this != PENDING_APPROVAL && this != APPROVED;
        }
    }

    /** The catalogue kind of a gateway action; null for a kubectl call. */
    public ActionKind catalogueKind() {
        return source == Source.GATEWAY ? ActionKind.valueOf(kind.toUpperCase(java.util.Locale.ROOT).replace('-', '_'))
                : null;
    }
}
