package dev.nightshift.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The reasoner of the embedded default, with no LLM: deterministic. It proposes hypotheses from
 * the problem statement and the alert labels (a catalogue of common failure modes, each with the
 * questions that test it), tests them against whatever sources exist, one question per cycle,
 * refines a supported one with what the evidence names, and concludes — or escalates with the
 * evidence when nothing holds, when there is no source, or when the circuit breaker trips.
 */
final class RulesReasoner {

    static final String NAME = "rules";
    static final double CONFIRMED = 0.7;

    /** A question that tests a hypothesis; found data supports it, an empty answer refutes it. */
    record Check(String tool, Map<String, Object> arguments) {}

    /** A failure mode of the catalogue. */
    record Rule(String name, Pattern signals, String statement, String domain, String category, String remediationClass,
            String remediation, List<Check> checks) {}

    private static Check promql(String query) {
        return new Check("prometheus.query", Map.of("query", query));
    }

    static final List<Rule> CATALOGUE = List.of(
            new Rule("oom", Pattern.compile("oom|out of memory|memory"),
                    "Containers are OOM-killed: the memory limit is too low or memory leaks", "kubernetes",
                    "resource-exhaustion/memory", "raise-memory-limit",
                    "Raise the container's memory limit or fix the leak; compare usage with the limit first.",
                    List.of(promql("kube_pod_container_status_last_terminated_reason{reason=\"OOMKilled\"} == 1"),
                            promql("container_memory_working_set_bytes / on (namespace, pod, container) "
                                    + "kube_pod_container_resource_limits{resource=\"memory\"} > 0.9"))),
            new Rule("crash-loop", Pattern.compile("crash|restart|backoff|crashloop"),
                    "Pods are crash-looping after a bad release or configuration", "kubernetes", "workload/crash-loop",
                    "rollback", "Roll back the last rollout and read the previous container's log.",
                    List.of(promql("increase(kube_pod_container_status_restarts_total[15m]) > 0"),
                            new Check("kubernetes.pods", Map.of()))),
            new Rule("errors", Pattern.compile("error|5xx|\\b50[0-9]\\b|fail"),
                    "A service answers with server errors", "application", "application/errors",
                    "rollback-or-fix", "Find the first failing dependency in the errors; roll back if a release preceded them.",
                    List.of(promql("sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) > 0"),
                            new Check("loki.query", Map.of("query", "{namespace=\"%namespace%\"} |~ \"(?i)error\"")))),
            new Rule("latency", Pattern.compile("latency|slow|timeout|p99|p95|response time"),
                    "A dependency is saturated and slows requests down", "application", "performance/latency",
                    "scale-out", "Scale the saturated component out or shed load; check its connection pools.",
                    List.of(promql("histogram_quantile(0.99, sum by (le, job) "
                            + "(rate(http_request_duration_seconds_bucket[5m]))) > 1"))),
            new Rule("database", Pattern.compile("database|postgres|mysql|connection pool|\\bdb\\b|sql"),
                    "The database is saturated: connections or locks are exhausted", "database",
                    "database/saturation", "tune-connection-pool",
                    "Reduce connection use (pool sizes, leaks) or raise the database's limit.",
                    List.of(promql("sum by (instance) (pg_stat_activity_count) / on (instance) "
                            + "pg_settings_max_connections > 0.8"))),
            new Rule("cpu", Pattern.compile("cpu|throttl"),
                    "Containers are CPU-throttled", "kubernetes", "resource-exhaustion/cpu", "raise-cpu-limit",
                    "Raise the CPU limit or remove it; throttling shows as latency first.",
                    List.of(promql("rate(container_cpu_cfs_throttled_periods_total[5m]) / "
                            + "rate(container_cpu_cfs_periods_total[5m]) > 0.25"))),
            new Rule("disk", Pattern.compile("disk|volume|filesystem|storage|pvc|no space"),
                    "A filesystem or volume is filling up", "storage", "resource-exhaustion/disk", "expand-volume",
                    "Free space or expand the volume before writes fail.",
                    List.of(promql("node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1"),
                            promql("kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.1"))),
            new Rule("dns", Pattern.compile("dns|resolve|nxdomain|servfail"),
                    "DNS resolution fails inside the cluster", "network", "network/dns", "restart-dns",
                    "Check CoreDNS health and upstreams; restart it if it is wedged.",
                    List.of(promql("sum(rate(coredns_dns_responses_total{rcode=\"SERVFAIL\"}[5m])) > 0"))),
            new Rule("network", Pattern.compile("network|packet|firewall|connection refused|unreachable"),
                    "Network traffic is dropped between services", "network", "network/connectivity",
                    "fix-network-policy", "Check recent NetworkPolicy and firewall changes.",
                    List.of(promql("rate(node_network_receive_drop_total[5m]) > 0"))),
            new Rule("target-down", Pattern.compile("down|unavailable|outage|not respond|unreachable|fail"),
                    "A monitored target is down", "application", "availability/target-down", "restart",
                    "Find out why the target stopped answering (crash, node, network) before restarting it.",
                    List.of(promql("up == 0"))));

    static final Rule FALLBACK = CATALOGUE.getLast();

    private final Registration registration;
    private final Toolbox toolbox;
    private final Trail trail;
    private final CircuitBreaker breaker;

    RulesReasoner(Registration registration, Toolbox toolbox, Trail trail, CircuitBreaker breaker) {
        this.registration = registration;
        this.toolbox = toolbox;
        this.trail = trail;
        this.breaker = breaker;
    }

    Outcome run() throws CircuitBreaker.Tripped {
        String text = (registration.title() + " " + registration.problem() + " "
                + String.join(" ", registration.labels().values())).toLowerCase(Locale.ROOT);
        Map<Trail.Hypothesis, Rule> proposed = new LinkedHashMap<>();
        for (Rule rule : CATALOGUE) {
            boolean signalled = rule.signals().matcher(text).find();
            // A target that is down explains many problems: always worth a look, if less likely unsignalled.
            if (signalled || rule == FALLBACK) {
                proposed.put(trail.propose(null, rule.statement(), domain(rule), signalled ? 0.4 : 0.2), rule);
            }
        }
        if (toolbox.available().isEmpty()) {
            return Outcome.escalate("no data source " + (registration.sources().isEmpty() ? "is configured" : "answered")
                    + ": " + proposed.size() + " hypotheses from the problem statement need a human to test them");
        }
        int answered = 0;
        for (Map.Entry<Trail.Hypothesis, Rule> entry : proposed.entrySet()) {
            Trail.Hypothesis hypothesis = entry.getKey();
            Rule rule = entry.getValue();
            boolean tested = false;
            for (Check check : rule.checks()) {
                var tool = toolbox.tool(check.tool());
                Map<String, Object> arguments = arguments(check);
                if (tool.isEmpty() || arguments == null) {
                    continue; // that source is not here, or the check needs a namespace the target does not name
                }
                breaker.startCycle();
                ToolResult result = toolbox.call(tool.get(), arguments);
                if (!result.ok()) {
                    continue;
                }
                tested = true;
                answered++;
                boolean supports = result.items() > 0;
                trail.evidence(hypothesis, check.tool(), tool.get().describe(arguments), result, supports);
                if (supports) {
                    trail.update(hypothesis, "supported", hypothesis.confidence + (1 - hypothesis.confidence) / 2);
                    if (hypothesis.confidence >= CONFIRMED) {
                        return conclude(hypothesis, rule, result);
                    }
                } else {
                    trail.update(hypothesis, "refuted", hypothesis.confidence / 2);
                }
            }
            if (tested && !"supported".equals(hypothesis.status)) {
                trail.update(hypothesis, "rejected", hypothesis.confidence);
            }
        }
        if (answered == 0) {
            return Outcome.escalate("the data sources did not answer the questions (" + String.join(", ",
                    toolbox.available()) + "): " + proposed.size() + " hypotheses remain untested");
        }
        List<String> supported = proposed.keySet().stream().filter(h -> "supported".equals(h.status))
                .map(h -> h.id + " (" + h.statement + ", confidence " + h.confidence + ")").toList();
        return Outcome.escalate(supported.isEmpty()
                ? "no hypothesis is supported by the evidence of " + String.join(", ", toolbox.available())
                        + "; a human should look further"
                : "some evidence but no confirmed cause: " + String.join("; ", supported));
    }

    /** Refines the supported hypothesis with what the evidence names (the series, the pod) and concludes. */
    private Outcome conclude(Trail.Hypothesis hypothesis, Rule rule, ToolResult result) {
        Trail.Hypothesis confirmed = hypothesis;
        if (result.firstItem() != null && !result.firstItem().isBlank()) {
            confirmed = trail.propose(hypothesis, hypothesis.statement + ": " + Tools.cut(result.firstItem(), 200),
                    hypothesis.domain, hypothesis.confidence);
        }
        double confidence = Math.max(CONFIRMED, hypothesis.confidence);
        trail.update(confirmed, "confirmed", confidence);
        return new Outcome(true, confirmed.statement, rule.category(), rule.remediationClass(), confidence,
                rule.remediation());
    }

    /** The check's arguments for this investigation; {@code null} when it needs a namespace there is none of. */
    private Map<String, Object> arguments(Check check) {
        String namespace = registration.target().get("namespace");
        Map<String, Object> arguments = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : check.arguments().entrySet()) {
            String value = entry.getValue().toString();
            if (value.contains("%namespace%")) {
                if (namespace == null) {
                    return null;
                }
                value = value.replace("%namespace%", namespace);
            }
            arguments.put(entry.getKey(), value);
        }
        if (check.tool().startsWith("kubernetes.")) {
            if (namespace == null) {
                return null;
            }
            arguments.put("namespace", namespace);
        }
        return arguments;
    }

    /** The rule's domain, or the investigation's own when it names just one that the rule does not. */
    private String domain(Rule rule) {
        List<String> domains = new ArrayList<>(registration.domains().stream().map(d -> d.toLowerCase(Locale.ROOT)).toList());
        return domains.contains(rule.domain()) || domains.size() != 1 ? rule.domain() : domains.getFirst();
    }
}
