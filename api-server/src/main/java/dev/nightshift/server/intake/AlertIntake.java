package dev.nightshift.server.intake;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.investigation.Domain;
import dev.nightshift.server.investigation.IllegalTransitionException;
import dev.nightshift.server.investigation.InvestigationRequest;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.Severity;
import dev.nightshift.server.investigation.Target;
import dev.nightshift.server.system.ApiTokens;
import dev.nightshift.server.system.UuidV7;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns Alertmanager's deliveries into incidents and investigations, in one transaction per
 * delivery: the alerts, their incident, and the investigation they start commit together or not at
 * all. Deliveries of one incident are serialized by a transaction-scoped advisory lock on its key,
 * and a unique index allows one open incident per key, so duplicates — HA peers, retries, several
 * replicas — make one incident and one investigation, however they race.
 */
@Service
public class AlertIntake {

    private static final Logger log = LoggerFactory.getLogger(AlertIntake.class);
    static final String ALERT_ATTACHED = "ALERT_ATTACHED";
    static final String INCIDENT_RESOLVED = "INCIDENT_RESOLVED";
    private static final int MAX_KEY = 1000;
    private static final int MAX_PROBLEM_ALERTS = 20;

    /** What a delivery did. {@code AlertIntakeResult} in openapi.yaml. */
    public record Result(UUID incidentId, String incidentStatus, UUID investigationId, boolean investigationCreated,
            int alertsReceived, int alertsNew) {}

    private record Incident(UUID id, UUID investigationId, boolean open) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final InvestigationService investigations;
    private final EventStore events;
    private final IntakeProperties properties;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final UuidV7 ids = new UuidV7();
    private final Map<String, CompletableFuture<Result>> inFlight = new ConcurrentHashMap<>();

    AlertIntake(JdbcClient jdbc, InvestigationService investigations, EventStore events, IntakeProperties properties,
            PlatformTransactionManager transactionManager, JsonMapper json, Clock clock, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.investigations = investigations;
        this.events = events;
        this.properties = properties;
        this.transactions = new TransactionTemplate(transactionManager);
        this.json = json;
        this.clock = clock;
    }

    public Result receive(AlertmanagerPayload payload, String principal) {
        // The same delivery already in flight here (HA peers send at once): wait for its outcome
        // rather than queue behind it on the incident's lock; if it fails, try on our own.
        String identity = identity(payload);
        CompletableFuture<Result> mine = new CompletableFuture<>();
        CompletableFuture<Result> running = inFlight.putIfAbsent(identity, mine);
        if (running != null) {
            try {
                Result first = running.join();
                return new Result(first.incidentId(), first.incidentStatus(), first.investigationId(), false,
                        first.alertsReceived(), 0);
            } catch (CompletionException | CancellationException e) {
                return process(payload, principal);
            }
        }
        try {
            Result result = process(payload, principal);
            mine.complete(result);
            return result;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(identity, mine);
        }
    }

    /** What makes two deliveries the same: the incident's group and each alert's firing and status. */
    private static String identity(AlertmanagerPayload payload) {
        return payload.groupKey() + "|" + payload.alerts().stream()
                .map(a -> a.fingerprint() + "@" + a.startsAt() + ":" + a.status() + ":" + a.endsAt())
                .sorted().collect(Collectors.joining(","));
    }

    private Result process(AlertmanagerPayload payload, String principal) {
        // A replay (HA peers, retries) that brings nothing new is answered without waiting for the lock.
        Result replay = unchanged(payload);
        if (replay != null) {
            return replay;
        }
        String key = incidentKey(payload);
        return transactions.execute(status -> {
            // Lock order: the incident's key, then the audit chain (taken by whatever below writes to an
            // investigation: its creation, attaching, resolving), then rows. Only the intake takes key locks.
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))").param(key).query().singleRow();
            // The same delivery from another peer may have been stored while this one waited.
            Result stored = unchanged(payload);
            if (stored != null) {
                return stored;
            }
            Instant now = clock.instant();
            List<AlertmanagerPayload.Alert> firing = payload.alerts().stream().filter(AlertmanagerPayload.Alert::firing)
                    .toList();
            Incident known = current(key).orElse(null);
            Incident incident;
            boolean opened = false;
            if (known != null && (known.open() || firing.isEmpty())) {
                // The open incident; or, for resolutions only, the last one, which they belong with.
                incident = known;
            } else if (firing.isEmpty()) {
                incident = insertIncident(key, payload.receiver(), false, now);
            } else {
                incident = insertIncident(key, payload.receiver(), true, now);
                opened = true;
            }
            UUID investigationId = incident.investigationId();
            boolean created = false;
            List<AlertmanagerPayload.Alert> eligible = firing.stream().filter(this::eligible).toList();
            if (investigationId == null && !eligible.isEmpty() && incident.open()) {
                investigationId = investigations.createFromAlerts(request(payload, eligible), principal);
                jdbc.sql("UPDATE incidents SET investigation_id = ? WHERE id = ?").params(investigationId, incident.id())
                        .update();
                created = true;
            }
            List<AlertmanagerPayload.Alert> fresh = upsert(incident.id(), payload.alerts(), now);
            if (investigationId != null) {
                attach(investigationId, incident.id(), fresh);
            }
            String incidentStatus = resolveIfDone(incident, investigationId, now, principal);
            try (var ignored = MDC.putCloseable("investigationId", investigationId == null ? "" : investigationId.toString())) {
                log.info("Alertmanager delivery from {}: {} alerts ({} new), incident {} {}{}", principal,
                        payload.alerts().size(), fresh.size(), incident.id(), opened ? "opened" : incidentStatus,
                        created ? ", investigation started" : "");
            }
            return new Result(incident.id(), incidentStatus, investigationId, created, payload.alerts().size(),
                    fresh.size());
        });
    }

    /** The answer to a delivery whose every alert is stored already with the same status; else null. */
    private Result unchanged(AlertmanagerPayload payload) {
        Map<String, AlertmanagerPayload.Alert> firings = new LinkedHashMap<>();
        payload.alerts().forEach(alert -> firings.put(alert.fingerprint() + "@" + alert.startsAt(), alert));
        List<AlertmanagerPayload.Alert> alerts = List.copyOf(firings.values());
        record Known(long count, UUID incident) {}
        Known known = jdbc.sql("""
                        SELECT count(*), (array_agg(DISTINCT a.incident_id))[1]
                        FROM alerts a JOIN unnest(?::text[], ?::timestamptz[], ?::text[]) AS p (fingerprint, starts_at, status)
                          ON a.fingerprint = p.fingerprint AND a.starts_at = p.starts_at AND a.status = p.status""")
                .params(alerts.stream().map(AlertmanagerPayload.Alert::fingerprint).toArray(String[]::new),
                        alerts.stream().map(a -> a.startsAt().toString()).toArray(String[]::new),
                        alerts.stream().map(AlertmanagerPayload.Alert::status).toArray(String[]::new))
                .query((rs, i) -> new Known(rs.getLong(1), rs.getObject(2, UUID.class))).single();
        if (known.count() != alerts.size() || known.incident() == null) {
            return null;
        }
        return jdbc.sql("SELECT status, investigation_id FROM incidents WHERE id = ?").param(known.incident())
                .query((rs, i) -> new Result(known.incident(), rs.getString(1), rs.getObject(2, UUID.class), false,
                        payload.alerts().size(), 0))
                .single();
    }

    /** {@code groupKey}, or the configured labels' values; hashed when very long. */
    String incidentKey(AlertmanagerPayload payload) {
        String key;
        if (properties.incidentLabels().isEmpty()) {
            key = "group:" + payload.groupKey();
        } else {
            Map<String, String> labels = payload.alerts().getFirst().labels();
            key = "labels:" + properties.incidentLabels().stream()
                    .map(name -> name + "=" + payload.commonLabels().getOrDefault(name, labels.getOrDefault(name, "")))
                    .collect(Collectors.joining(","));
        }
        return key.length() > MAX_KEY ? "sha256:" + ApiTokens.sha256Hex(key) : key;
    }

    /** The key's open incident, or else its newest. */
    private Optional<Incident> current(String key) {
        return jdbc.sql("""
                        SELECT id, investigation_id, status = 'OPEN' FROM incidents WHERE incident_key = ?
                        ORDER BY status = 'OPEN' DESC, opened_at DESC LIMIT 1""")
                .param(key).query((rs, i) -> new Incident(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getBoolean(3)))
                .optional();
    }

    private Incident insertIncident(String key, String receiver, boolean open, Instant now) {
        UUID id = ids.next(now);
        jdbc.sql("""
                        INSERT INTO incidents (id, incident_key, status, receiver, opened_at, resolved_at)
                        VALUES (?, ?, ?, ?, ?, ?)""")
                .params(id, key, open ? "OPEN" : "RESOLVED", cut(receiver, 256), Timestamp.from(now),
                        open ? null : Timestamp.from(now))
                .update();
        return new Incident(id, null, open);
    }

    /**
     * Stores the alerts in one statement; returns those not seen before (a firing is its fingerprint
     * and start). A payload naming one firing twice keeps the last.
     */
    private List<AlertmanagerPayload.Alert> upsert(UUID incidentId, List<AlertmanagerPayload.Alert> received, Instant now) {
        Map<String, AlertmanagerPayload.Alert> byFiring = new LinkedHashMap<>();
        received.forEach(alert -> byFiring.put(alert.fingerprint() + "@" + alert.startsAt(), alert));
        List<AlertmanagerPayload.Alert> alerts = List.copyOf(byFiring.values());
        int n = alerts.size();
        String[] fingerprints = new String[n];
        String[] starts = new String[n];
        String[] ends = new String[n];
        String[] statuses = new String[n];
        String[] names = new String[n];
        String[] labels = new String[n];
        String[] annotations = new String[n];
        String[] urls = new String[n];
        for (int i = 0; i < n; i++) {
            AlertmanagerPayload.Alert alert = alerts.get(i);
            fingerprints[i] = alert.fingerprint();
            starts[i] = alert.startsAt().toString();
            ends[i] = alert.endsAt() == null ? null : alert.endsAt().toString();
            statuses[i] = alert.status();
            names[i] = cut(alert.alertname(), 256);
            labels[i] = json.writeValueAsString(alert.labels());
            annotations[i] = json.writeValueAsString(alert.annotations());
            urls[i] = cut(alert.generatorUrl(), 2048);
        }
        Set<String> inserted = new HashSet<>(jdbc.sql("""
                        INSERT INTO alerts (incident_id, fingerprint, starts_at, ends_at, status, alertname, labels,
                            annotations, generator_url, received_at, updated_at)
                        SELECT ?, a.fingerprint, a.starts_at, a.ends_at, a.status, a.alertname, a.labels::jsonb,
                            a.annotations::jsonb, a.url, ?, ?
                        FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],
                            ?::text[], ?::text[])
                            AS a (fingerprint, starts_at, ends_at, status, alertname, labels, annotations, url)
                        ON CONFLICT (fingerprint, starts_at) DO UPDATE SET status = excluded.status,
                            ends_at = excluded.ends_at, annotations = excluded.annotations,
                            updated_at = excluded.updated_at
                        RETURNING fingerprint, starts_at, (xmax = 0)""")
                .params(incidentId, Timestamp.from(now), Timestamp.from(now), fingerprints, starts, ends, statuses,
                        names, labels, annotations, urls)
                .query((rs, i) -> rs.getBoolean(3) ? rs.getString(1) + "@" + rs.getTimestamp(2).toInstant() : null)
                .list().stream().filter(Objects::nonNull).toList());
        return alerts.stream().filter(alert -> inserted.contains(alert.fingerprint() + "@" + alert.startsAt())).toList();
    }

    /**
     * Tells the investigation about its new alerts, up to the per-incident limit: in a storm the
     * alerts are all stored, but the worker and the history get the first ones and a count.
     */
    private void attach(UUID investigationId, UUID incidentId, List<AlertmanagerPayload.Alert> fresh) {
        if (fresh.isEmpty()) {
            return; // a resolve or a repeat: nothing new to tell
        }
        long attached = jdbc.sql("SELECT count(*) FROM investigation_events WHERE investigation_id = ? AND type = ?")
                .params(investigationId, ALERT_ATTACHED).query(Long.class).single();
        int room = (int) Math.max(0, properties.maxAttachedAlerts() - attached);
        audit.lock(); // before the investigation's row lock that appending events takes
        events.appendServerEvents(investigationId, ALERT_ATTACHED, fresh.subList(0, Math.min(room, fresh.size()))
                .stream().map(alert -> attached(alert, incidentId)).toList());
        audit.append("alertmanager", "alerts.attached", investigationId, Map.of("incidentId", incidentId.toString(),
                "alerts", fresh.size(), "fingerprints", fresh.stream().limit(100).map(AlertmanagerPayload.Alert::fingerprint)
                        .toList()));
        if (fresh.size() > room) {
            log.info("Incident {}: {} more alerts stored without attaching them (limit {})", incidentId,
                    fresh.size() - room, properties.maxAttachedAlerts());
        }
    }

    /** Closes an open incident whose alerts are all resolved, and applies the resolve policy. */
    private String resolveIfDone(Incident incident, UUID investigationId, Instant now, String principal) {
        if (!incident.open()) {
            return "RESOLVED";
        }
        long firing = jdbc.sql("SELECT count(*) FROM alerts WHERE incident_id = ? AND status = 'firing'")
                .param(incident.id()).query(Long.class).single();
        if (firing > 0) {
            return "OPEN";
        }
        audit.lock(); // before the investigation's row lock that its events take
        jdbc.sql("UPDATE incidents SET status = 'RESOLVED', resolved_at = ? WHERE id = ?")
                .params(Timestamp.from(now), incident.id()).update();
        audit.append(principal, "incident.resolved", investigationId, Map.of("incidentId", incident.id().toString(),
                "policy", properties.onResolved().name()));
        if (investigationId != null) {
            events.appendServerEvent(investigationId, INCIDENT_RESOLVED, Map.of("incidentId", incident.id().toString(),
                    "policy", properties.onResolved().name().toLowerCase(Locale.ROOT)));
            if (properties.onResolved() == IntakeProperties.ResolvePolicy.CANCEL) {
                try {
                    investigations.cancel(investigationId, principal, "every alert of its incident resolved");
                } catch (IllegalTransitionException e) {
                    // It has ended already: nothing to cancel.
                }
            }
        }
        return "RESOLVED";
    }

    private boolean eligible(AlertmanagerPayload.Alert alert) {
        if (properties.severity(alert.labels().get("severity")).ordinal() > properties.minimumSeverity().ordinal()) {
            return false;
        }
        return properties.matchers().entrySet().stream().allMatch(matcher ->
                Pattern.compile(matcher.getValue()).matcher(alert.labels().getOrDefault(matcher.getKey(), "")).matches());
    }

    /** The investigation of an incident, from its alerts: title, problem, domains, severity, labels, target. */
    InvestigationRequest request(AlertmanagerPayload payload, List<AlertmanagerPayload.Alert> alerts) {
        AlertmanagerPayload.Alert first = alerts.getFirst();
        String alertname = payload.commonLabels().getOrDefault("alertname", first.alertname());
        String summary = payload.commonAnnotations().getOrDefault("summary", first.annotations().getOrDefault("summary", ""));
        String title = clean(alertname.isBlank() ? "Alertmanager alert" : alertname) + (summary.isBlank() ? "" : ": "
                + clean(summary));
        StringBuilder problem = new StringBuilder();
        problem.append(alerts.size()).append(" alert(s) firing from receiver ").append(payload.receiver()).append(".\n");
        for (AlertmanagerPayload.Alert alert : alerts.subList(0, Math.min(alerts.size(), MAX_PROBLEM_ALERTS))) {
            String text = alert.annotations().getOrDefault("description", alert.annotations().getOrDefault("summary", ""));
            problem.append("- ").append(alert.alertname()).append(' ').append(new TreeMap<>(alert.labels()))
                    .append(" since ").append(alert.startsAt());
            if (!text.isBlank()) {
                problem.append(": ").append(clean(text));
            }
            problem.append('\n');
        }
        Severity severity = alerts.stream().map(a -> properties.severity(a.labels().get("severity")))
                .min(Comparator.naturalOrder()).orElse(properties.defaultSeverity());
        return new InvestigationRequest(cut(title, InvestigationRequest.MAX_TITLE),
                cut(problem.toString().strip(), InvestigationRequest.MAX_PROBLEM), List.copyOf(domains(alerts)),
                severity, labels(payload.commonLabels().isEmpty() ? first.labels() : payload.commonLabels()),
                target(payload.commonLabels().isEmpty() ? first.labels() : payload.commonLabels()), null);
    }

    private Set<Domain> domains(List<AlertmanagerPayload.Alert> alerts) {
        Set<Domain> domains = EnumSet.noneOf(Domain.class);
        for (AlertmanagerPayload.Alert alert : alerts) {
            for (String value : alert.labels().getOrDefault(properties.domainLabel(), "").split(",")) {
                for (Domain domain : Domain.values()) {
                    if (domain.name().equalsIgnoreCase(value.trim())) {
                        domains.add(domain);
                    }
                }
            }
        }
        if (domains.isEmpty()) {
            for (AlertmanagerPayload.Alert alert : alerts) {
                properties.domainRules().entrySet().stream()
                        .filter(rule -> Pattern.compile(rule.getKey()).matcher(alert.alertname()).find())
                        .findFirst().ifPresent(rule -> domains.add(rule.getValue()));
            }
        }
        if (domains.isEmpty()) {
            domains.add(properties.defaultDomain());
        }
        return domains;
    }

    /** The labels an investigation can hold (valid keys, short values, at most the limit). */
    private static Map<String, String> labels(Map<String, String> source) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, String> label : new TreeMap<>(source).entrySet()) {
            if (labels.size() == InvestigationRequest.MAX_LABELS) {
                break;
            }
            if (InvestigationRequest.LABEL_KEY.matcher(label.getKey()).matches() && label.getKey().length() <= 317
                    && !label.getValue().isEmpty()) {
                labels.put(label.getKey(), clean(cut(label.getValue(), InvestigationRequest.MAX_LABEL_VALUE)));
            }
        }
        return labels;
    }

    /** Cluster, namespace and workload from the usual labels, when they are valid names. */
    private static Target target(Map<String, String> labels) {
        String cluster = dnsLabel(labels.get("cluster"));
        String namespace = dnsLabel(labels.get("namespace"));
        String workload = null;
        for (String kind : List.of("deployment", "statefulset", "daemonset", "service")) {
            String name = labels.get(kind);
            if (name != null && name.length() <= InvestigationRequest.MAX_WORKLOAD - kind.length() - 1
                    && InvestigationRequest.WORKLOAD.matcher(kind + "/" + name).matches()) {
                workload = kind + "/" + name;
                break;
            }
        }
        return cluster == null && namespace == null && workload == null ? null : new Target(cluster, namespace, workload);
    }

    private static String dnsLabel(String value) {
        return value != null && InvestigationRequest.DNS_LABEL.matcher(value).matches() ? value : null;
    }

    private Map<String, Object> attached(AlertmanagerPayload.Alert alert, UUID incidentId) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("incidentId", incidentId.toString());
        payload.put("fingerprint", alert.fingerprint());
        payload.put("alertname", alert.alertname());
        payload.put("status", alert.status());
        payload.put("startsAt", alert.startsAt().toString());
        payload.put("labels", alert.labels());
        payload.put("annotations", alert.annotations());
        return payload;
    }

    private static String clean(String text) {
        return text.replaceAll("\\p{Cntrl}", " ").strip();
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
