package dev.nightshift.server.trust;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Trust configuration of this environment: the same values the Helm chart sets per environment
 * and phase. Thresholds default to the seed's table.
 *
 * @param phase the configured phase; new investigations take it, or the runtime ceiling if lower
 * @param environment this environment's name, e.g. {@code production}; default {@code default}
 * @param gates the promotion gates
 * @param demotion when the runtime ceiling drops a phase on its own
 * @param taxonomy the root-cause categories and remediation classes suggested to operators giving
 *     feedback (unknown ones are accepted too); defaults to the built-in reasoner's
 */
@ConfigurationProperties("nightshift.trust")
public record TrustProperties(@DefaultValue("SHADOW") TrustPhase phase, @DefaultValue("default") String environment,
        @DefaultValue Gates gates, @DefaultValue Demotion demotion, @DefaultValue Taxonomy taxonomy) {

    /** Suggested slugs. */
    public record Taxonomy(List<String> categories, List<String> remediationClasses) {
        public Taxonomy {
            categories = categories == null || categories.isEmpty() ? List.of("application/errors",
                    "availability/target-down", "database/saturation", "network/connectivity", "network/dns",
                    "performance/latency", "resource-exhaustion/cpu", "resource-exhaustion/disk",
                    "resource-exhaustion/memory", "security/incident", "workload/crash-loop", "workload/misconfiguration")
                    : List.copyOf(categories);
            remediationClasses = remediationClasses == null || remediationClasses.isEmpty() ? List.of("expand-volume",
                    "fix-network-policy", "raise-cpu-limit", "raise-memory-limit", "restart", "restart-dns", "rollback",
                    "rollback-or-fix", "scale-out", "tune-connection-pool", "no-action")
                    : List.copyOf(remediationClasses);
        }
    }

    /**
     * @param shadowSamples scored shadow investigations before {@code ASSIST}; default 100
     * @param shadowDomains domains they cover; default 3
     * @param shadowAccuracy diagnostic accuracy over them; default 0.95
     * @param assistSamples scored assisted investigations before {@code LIMITED_REMEDIATION}; default 150
     * @param assistAgreement operator agreement; default 0.90
     * @param assistMinimalEdits accepted with minimal edits; default 0.80
     * @param remediations approved remediations before {@code AUTONOMOUS}; default 100
     * @param remediationSuccess default 0.99
     * @param rollbackRate at most; default 0.01
     * @param escalationCorrectness default 0.95
     */
    public record Gates(@DefaultValue("100") int shadowSamples, @DefaultValue("3") int shadowDomains,
            @DefaultValue("0.95") double shadowAccuracy, @DefaultValue("150") int assistSamples,
            @DefaultValue("0.90") double assistAgreement, @DefaultValue("0.80") double assistMinimalEdits,
            @DefaultValue("100") int remediations, @DefaultValue("0.99") double remediationSuccess,
            @DefaultValue("0.01") double rollbackRate, @DefaultValue("0.95") double escalationCorrectness) {}

    /**
     * @param accuracy below it over the window, demote; default 0.92
     * @param rollbackRate above it, demote; default 0.02
     * @param window default 30 days
     * @param minSamples scored investigations in the window before accuracy can demote; default 20
     */
    public record Demotion(@DefaultValue("0.92") double accuracy, @DefaultValue("0.02") double rollbackRate,
            @DefaultValue("30d") Duration window, @DefaultValue("20") int minSamples) {}
}
