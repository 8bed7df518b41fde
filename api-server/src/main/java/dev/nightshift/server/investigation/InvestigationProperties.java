package dev.nightshift.server.investigation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Investigation settings.
 *
 * @param tiers the complexity tiers; default {@code simple} (one domain) and {@code multi-domain}
 *     (up to six). A request's tier is the first, by {@code maxDomains}, that holds its domains.
 * @param idempotencyKeyRetention how long an {@code Idempotency-Key} is remembered; default 24 hours
 */
@ConfigurationProperties("nightshift.investigations")
public record InvestigationProperties(List<Tier> tiers, @DefaultValue("24h") Duration idempotencyKeyRetention) {

    private static final Pattern TIER_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public InvestigationProperties {
        List<Tier> configured = tiers == null || tiers.isEmpty()
                ? List.of(new Tier("simple", 1, null, 8, 0, null),
                        new Tier("multi-domain", Domain.values().length, null, 15, 0,
                                new Resources("1", "2Gi", "4", "8Gi")))
                : tiers;
        for (Tier tier : configured) {
            if (tier.name() == null || !TIER_NAME.matcher(tier.name()).matches()) {
                throw new IllegalStateException("nightshift.investigations.tiers[].name must be a DNS-1123 label, was '"
                        + tier.name() + "'");
            }
            if (tier.deadline().isNegative() || tier.deadline().isZero()) {
                throw new IllegalStateException("nightshift.investigations.tiers[" + tier.name()
                        + "].deadline must be positive");
            }
            if (tier.maxDomains() < 1) {
                throw new IllegalStateException("nightshift.investigations.tiers[" + tier.name()
                        + "].max-domains must be at least 1");
            }
        }
        if (configured.stream().map(Tier::name).distinct().count() != configured.size()) {
            throw new IllegalStateException("nightshift.investigations.tiers names must be unique");
        }
        List<Tier> sorted = new ArrayList<>(configured);
        sorted.sort(Comparator.comparingInt(Tier::maxDomains));
        tiers = List.copyOf(sorted);
    }

    /**
     * A complexity tier: how big an investigation is, and what a run of it may take.
     *
     * @param name the tier's name, a DNS-1123 label
     * @param maxDomains the most domains an investigation of this tier spans
     * @param deadline how long one run may take before it is stopped as {@code TIMED_OUT}; default 900 s
     * @param maxReasoningCycles the circuit breaker of the reasoning loop; default 8 ({@code simple}),
     *     15 ({@code multi-domain}), otherwise 15
     * @param maxConcurrent how many runs of this tier may be active at once; 0 (default) for no
     *     limit beyond the global one
     * @param resources what a run's pod requests and may use; default requests 500m/1Gi and limits
     *     2/4Gi ({@code multi-domain}: 1/2Gi and 4/8Gi)
     */
    public record Tier(String name, int maxDomains, Duration deadline, int maxReasoningCycles, int maxConcurrent,
            Resources resources) {

        public Tier {
            deadline = deadline == null ? Duration.ofSeconds(900) : deadline;
            maxReasoningCycles = maxReasoningCycles > 0 ? maxReasoningCycles : 15;
            resources = resources == null ? new Resources(null, null, null, null) : resources;
        }
    }

    /**
     * Kubernetes resource quantities of a run's pod; each defaults to the {@code simple} tier's.
     *
     * @param requestsCpu default {@code 500m}
     * @param requestsMemory default {@code 1Gi}
     * @param limitsCpu default {@code 2}
     * @param limitsMemory default {@code 4Gi}; an investigation that exceeds it is {@code OOMKilled}
     */
    public record Resources(String requestsCpu, String requestsMemory, String limitsCpu, String limitsMemory) {

        public Resources {
            requestsCpu = requestsCpu == null ? "500m" : requestsCpu;
            requestsMemory = requestsMemory == null ? "1Gi" : requestsMemory;
            limitsCpu = limitsCpu == null ? "2" : limitsCpu;
            limitsMemory = limitsMemory == null ? "4Gi" : limitsMemory;
        }
    }

    /** The tier derived from the number of domains, if any tier holds that many. */
    Optional<Tier> tierFor(int domainCount) {
        return tiers.stream().filter(t -> t.maxDomains() >= domainCount).findFirst();
    }

    public Optional<Tier> tierNamed(String name) {
        return tiers.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    List<String> tierNames() {
        return tiers.stream().map(Tier::name).toList();
    }
}
