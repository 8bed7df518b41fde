package dev.nightshift.server.intake;

import dev.nightshift.server.investigation.Domain;
import dev.nightshift.server.investigation.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How alerts become investigations. The defaults fit what real Alertmanager setups send: every
 * firing alert is eligible, severity is free text mapped by a table, and alerts without a
 * {@code domain} label still work.
 *
 * @param incidentLabels labels whose values make the incident key (e.g. cluster, namespace,
 *     service); empty (default): Alertmanager's {@code groupKey}
 * @param severities severity label values (lowercase) to severities; merged over the defaults
 * @param defaultSeverity for values the table does not know; default {@code warning}
 * @param minimumSeverity alerts below it are stored but start nothing; default {@code info}
 * @param matchers label name to a regular expression the value must match for an alert to start
 *     an investigation; none by default
 * @param domainLabel the label that names domains, comma-separated; default {@code domain}
 * @param domainRules regular expressions over {@code alertname} to a domain, tried in order;
 *     merged over the defaults
 * @param defaultDomain when neither says; default {@code application}
 * @param onResolved what a resolved incident does to its investigation: {@code finish} (default)
 *     lets it run to its end, {@code cancel} stops it
 * @param maxAlerts the most alerts one payload may carry; default 10,000
 * @param maxAttachedAlerts storm control per incident: the most alerts attached to its investigation
 *     as events (its worker reads them); beyond, alerts are still stored with the incident; default 100
 */
@ConfigurationProperties("nightshift.intake")
public record IntakeProperties(List<String> incidentLabels, Map<String, Severity> severities,
        @DefaultValue("WARNING") Severity defaultSeverity, @DefaultValue("INFO") Severity minimumSeverity,
        Map<String, String> matchers, @DefaultValue("domain") String domainLabel, Map<String, Domain> domainRules,
        @DefaultValue("APPLICATION") Domain defaultDomain, @DefaultValue("FINISH") ResolvePolicy onResolved,
        @DefaultValue("10000") int maxAlerts, @DefaultValue("100") int maxAttachedAlerts) {

    public enum ResolvePolicy { FINISH, CANCEL }

    static final Map<String, Severity> DEFAULT_SEVERITIES = defaults();

    public IntakeProperties {
        incidentLabels = incidentLabels == null ? List.of() : List.copyOf(incidentLabels);
        Map<String, Severity> table = new LinkedHashMap<>(DEFAULT_SEVERITIES);
        if (severities != null) {
            severities.forEach((value, severity) -> table.put(value.toLowerCase(Locale.ROOT), severity));
        }
        severities = table;
        matchers = matchers == null ? Map.of() : Map.copyOf(matchers);
        Map<String, Domain> rules = new LinkedHashMap<>();
        rules.put("(?i)(postgres|mysql|mariadb|redis|mongo|database|sql|db)", Domain.DATABASE);
        rules.put("(?i)(dns|network|ingress|packet|tcp|certificate)", Domain.NETWORK);
        rules.put("(?i)(disk|volume|filesystem|pvc|storage|inode)", Domain.STORAGE);
        rules.put("(?i)(auth|security|intrusion|vulnerab|falco)", Domain.SECURITY);
        rules.put("(?i)^(kube|kubelet|etcd|node|container|pod|cpu|memory|oom)", Domain.KUBERNETES);
        if (domainRules != null) {
            rules.putAll(domainRules);
        }
        domainRules = rules;
        if (maxAlerts < 1) {
            throw new IllegalStateException("nightshift.intake.max-alerts must be at least 1");
        }
    }

    private static Map<String, Severity> defaults() {
        Map<String, Severity> table = new LinkedHashMap<>();
        for (String value : List.of("critical", "crit", "page", "p1", "high", "error", "emergency", "fatal",
                "disaster", "sev1", "urgent")) {
            table.put(value, Severity.CRITICAL);
        }
        for (String value : List.of("warning", "warn", "medium", "major", "minor", "p2", "p3", "sev2", "sev3")) {
            table.put(value, Severity.WARNING);
        }
        for (String value : List.of("info", "informational", "low", "none", "notice", "debug", "p4", "p5",
                "sev4", "sev5")) {
            table.put(value, Severity.INFO);
        }
        return Map.copyOf(table);
    }

    /** The severity of a label value; the default for missing or unknown ones. */
    Severity severity(String value) {
        return value == null ? defaultSeverity : severities.getOrDefault(value.toLowerCase(Locale.ROOT), defaultSeverity);
    }
}
