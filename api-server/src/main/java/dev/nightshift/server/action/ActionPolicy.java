package dev.nightshift.server.action;

import dev.nightshift.server.trust.TrustPhase;
import java.time.LocalTime;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One deterministic decision per proposed action, the same for the gateway and the kubectl proxy.
 * Scope first (what the agent may recommend at all: the target's namespace, the size of a cut),
 * then the time window, then rate limits, then the phase: shadow and assist record, limited
 * remediation waits for a human, autonomous runs low risk and waits for the rest. A denial for
 * scope is what demotes trust; a window or a rate limit never does.
 */
public final class ActionPolicy {

    /** What happens to a proposal. */
    public enum Outcome { RECORDED, DENIED_BY_POLICY, RATE_LIMITED, PENDING_APPROVAL, APPROVED }

    /**
     * @param outOfScope whether the agent asked for something outside its approved scope (demotes)
     */
    public record Decision(Outcome outcome, String reason, boolean outOfScope) {}

    /**
     * An action as proposed.
     *
     * @param namespaceLabels the labels of the target namespace, as far as they are known (empty without a cluster)
     * @param replicas for a scale: the requested count; {@code currentReplicas} the count now, if known
     */
    public record Proposal(ActionKind kind, String namespace, Map<String, String> namespaceLabels, String name,
            Integer replicas, Integer currentReplicas) {

        public Proposal {
            namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
        }
    }

    /** How many proposals count against the rate limits, this one excluded. */
    public record Usage(int byInvestigation, int lastHour) {}

    private final ActionPolicyProperties properties;

    public ActionPolicy(ActionPolicyProperties properties) {
        this.properties = properties;
    }

    public Decision decide(TrustPhase phase, Proposal proposal, Usage usage, LocalTime now) {
        String namespace = proposal.namespace();
        if (proposal.kind() != ActionKind.CORDON_NODE && proposal.kind() != ActionKind.CACHE_CLEAR_WEBHOOK) {
            if (namespace == null || namespace.isBlank()) {
                return scope("a " + proposal.kind().wire() + " needs a namespace");
            }
            if (isProtected(namespace, proposal.namespaceLabels())) {
                return scope("namespace " + namespace + " is protected");
            }
            if (!properties.targetNamespaces().isEmpty() && !properties.targetNamespaces().contains(namespace)) {
                return scope("namespace " + namespace + " is not a target namespace");
            }
        }
        if (proposal.kind() == ActionKind.SCALE_DEPLOYMENT) {
            if (proposal.replicas() == null || proposal.replicas() < 0) {
                return scope("a scale needs a replica count of zero or more");
            }
            if (properties.production() && proposal.replicas() == 0) {
                return scope("no scale to zero in production");
            }
            if (properties.production() && proposal.currentReplicas() != null && proposal.currentReplicas() > 0) {
                double cut = 1.0 - (double) proposal.replicas() / proposal.currentReplicas();
                if (cut > properties.maxScaleDownRatio()) {
                    return scope(String.format("a cut of %.0f%% of replicas in production is over %.0f%%", cut * 100,
                            properties.maxScaleDownRatio() * 100));
                }
            }
        }
        boolean executing = phase == TrustPhase.LIMITED_REMEDIATION || phase == TrustPhase.AUTONOMOUS;
        if (executing && !properties.allowedKinds().getOrDefault(phase, Set.of()).contains(proposal.kind())) {
            return scope(proposal.kind().wire() + " is not allowed in " + phase.slug());
        }
        return byPhase(phase, proposal.kind().risk(), usage, now);
    }

    /**
     * A write the kubectl proxy classified: never denied for scope (the agent did not choose from the
     * catalogue; a destructive call is simply high risk and waits for a human in every executing phase).
     */
    public Decision decideCall(TrustPhase phase, ActionKind.Risk risk, Usage usage, LocalTime now) {
        return byPhase(phase, risk, usage, now);
    }

    /** Whether a namespace is protected by name or by one of the configured labels. */
    public boolean isProtected(String namespace, Map<String, String> labels) {
        return properties.protectedNamespaces().contains(namespace) || properties.protectedNamespaceLabels().entrySet()
                .stream().anyMatch(l -> l.getValue().equals(labels.get(l.getKey())));
    }

    /** Whether a scale from {@code current} to {@code replicas} is to zero, or in production a cut over the ratio. */
    public boolean isDrasticScale(Integer replicas, Integer current) {
        return replicas != null && (replicas == 0 || properties.production() && current != null && current > 0
                && 1.0 - (double) replicas / current > properties.maxScaleDownRatio());
    }

    public boolean production() {
        return properties.production();
    }

    private Decision byPhase(TrustPhase phase, ActionKind.Risk risk, Usage usage, LocalTime now) {
        if (properties.windowStart() != null && !inWindow(now)) {
            return new Decision(Outcome.DENIED_BY_POLICY, "outside the action window " + properties.windowStart() + "-"
                    + properties.windowEnd(), false);
        }
        if (usage.byInvestigation() >= properties.perInvestigation()) {
            return new Decision(Outcome.RATE_LIMITED, "at most " + properties.perInvestigation()
                    + " proposals per investigation", false);
        }
        if (usage.lastHour() >= properties.perHour()) {
            return new Decision(Outcome.RATE_LIMITED, "at most " + properties.perHour() + " proposals per hour", false);
        }
        return switch (phase) {
            case SHADOW, ASSIST -> new Decision(Outcome.RECORDED, "recorded as a recommendation in " + phase.slug(), false);
            case LIMITED_REMEDIATION -> new Decision(Outcome.PENDING_APPROVAL, "every action waits for approval in "
                    + phase.slug(), false);
            case AUTONOMOUS -> risk == ActionKind.Risk.LOW
                    ? new Decision(Outcome.APPROVED, "low risk runs in autonomous", false)
                    : new Decision(Outcome.PENDING_APPROVAL, risk.name().toLowerCase(Locale.ROOT)
                            + " risk waits for approval", false);
        };
    }

    private boolean inWindow(LocalTime now) {
        LocalTime start = properties.windowStart();
        LocalTime end = properties.windowEnd();
        return start.isBefore(end) ? !now.isBefore(start) && now.isBefore(end) : !now.isBefore(start) || now.isBefore(end);
    }

    private static Decision scope(String reason) {
        return new Decision(Outcome.DENIED_BY_POLICY, reason, true);
    }
}
