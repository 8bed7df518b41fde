package dev.nightshift.server.action;

import dev.nightshift.server.trust.TrustPhase;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The declarative policy over proposed actions (the same values the Helm chart sets).
 *
 * @param production whether this environment is production: no scale to zero, no cut over the ratio
 * @param protectedNamespaces namespaces no action may touch; default kube-system, kube-public, kube-node-lease
 * @param protectedNamespaceLabels namespaces carrying any of these labels are protected too; default
 *     {@code nightshift.dev/protected: "true"} (read from the cluster, where one is configured)
 * @param targetNamespaces namespaces actions may touch; empty (default) for any unprotected one
 * @param allowedKinds per executing phase, the kinds it may execute; default: LIMITED_REMEDIATION the
 *     low and medium risk ones, AUTONOMOUS all
 * @param maxScaleDownRatio in production, the largest cut of replicas as a share; default 0.5
 * @param windowStart with {@code windowEnd}, when actions may execute (local time of the server); default always
 * @param perInvestigation proposals one investigation may make; default 5
 * @param perHour proposals over all investigations per hour; default 30
 */
@ConfigurationProperties("nightshift.actions.policy")
public record ActionPolicyProperties(@DefaultValue("false") boolean production, List<String> protectedNamespaces,
        Map<String, String> protectedNamespaceLabels, List<String> targetNamespaces, Map<TrustPhase, Set<ActionKind>> allowedKinds,
        @DefaultValue("0.5") double maxScaleDownRatio, LocalTime windowStart, LocalTime windowEnd,
        @DefaultValue("5") int perInvestigation, @DefaultValue("30") int perHour) {

    public ActionPolicyProperties {
        protectedNamespaces = protectedNamespaces == null ? List.of("kube-system", "kube-public", "kube-node-lease")
                : List.copyOf(protectedNamespaces);
        protectedNamespaceLabels = protectedNamespaceLabels == null ? Map.of("nightshift.dev/protected", "true")
                : Map.copyOf(protectedNamespaceLabels);
        targetNamespaces = targetNamespaces == null ? List.of() : List.copyOf(targetNamespaces);
        allowedKinds = allowedKinds == null || allowedKinds.isEmpty() ? Map.of(
                TrustPhase.LIMITED_REMEDIATION, EnumSet.of(ActionKind.RESTART_POD, ActionKind.ROLLOUT_RESTART,
                        ActionKind.SCALE_DEPLOYMENT, ActionKind.ADJUST_HPA, ActionKind.CACHE_CLEAR_WEBHOOK),
                TrustPhase.AUTONOMOUS, EnumSet.allOf(ActionKind.class)) : Map.copyOf(allowedKinds);
        if ((windowStart == null) != (windowEnd == null)) {
            throw new IllegalStateException("nightshift.actions.policy.window-start and window-end go together");
        }
    }
}
