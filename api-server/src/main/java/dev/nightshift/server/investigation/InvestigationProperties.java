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
                ? List.of(new Tier("simple", 1), new Tier("multi-domain", Domain.values().length))
                : tiers;
        for (Tier tier : configured) {
            if (tier.name() == null || !TIER_NAME.matcher(tier.name()).matches()) {
                throw new IllegalStateException("nightshift.investigations.tiers[].name must be a DNS-1123 label, was '"
                        + tier.name() + "'");
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
     * A complexity tier. The Job issue adds its resources, deadline and reasoning budget.
     *
     * @param name the tier's name, a DNS-1123 label
     * @param maxDomains the most domains an investigation of this tier spans
     */
    public record Tier(String name, int maxDomains) {}

    /** The tier derived from the number of domains, if any tier holds that many. */
    Optional<Tier> tierFor(int domainCount) {
        return tiers.stream().filter(t -> t.maxDomains() >= domainCount).findFirst();
    }

    Optional<Tier> tierNamed(String name) {
        return tiers.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    List<String> tierNames() {
        return tiers.stream().map(Tier::name).toList();
    }
}
