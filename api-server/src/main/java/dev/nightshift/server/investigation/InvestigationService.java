package dev.nightshift.server.investigation;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.cost.CostLedgers;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.metrics.InvestigationMetrics;
import dev.nightshift.server.system.Traces;
import dev.nightshift.server.notify.NotificationProperties.Event;
import dev.nightshift.server.notify.Notifications;
import dev.nightshift.server.events.StoredEvent;
import dev.nightshift.server.system.Role;
import dev.nightshift.server.system.UuidV7;
import dev.nightshift.server.system.WorkerCredentials;
import dev.nightshift.server.trust.TrustPhase;
import dev.nightshift.server.trust.TrustService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Starts, reads and cancels investigations; every state change goes through {@link Investigation}. */
@Service
public class InvestigationService {

    private static final Logger log = LoggerFactory.getLogger(InvestigationService.class);
    static final String MDC_KEY = "investigationId";

    /** The outcome of a create: the investigation, and whether an earlier request had created it. */
    public record Created(InvestigationViews.Detail investigation, boolean replayed) {}

    private final InvestigationRepository repository;
    private final IdempotencyKeys idempotencyKeys;
    private final InvestigationQueries queries;
    private final EventStore events;
    private final CostLedgers costs;
    private final AuditLog audit;
    private final InvestigationProperties properties;
    private final TrustService trust;
    private final TransactionTemplate transactions;
    private final TransactionTemplate readOnly;
    private final JsonMapper json;
    private final Clock clock;
    private final ApplicationEventPublisher publisher;
    private final UuidV7 ids = new UuidV7();
    private final Notifications notifications;
    private final InvestigationMetrics metrics;
    private final Traces traces;

    /** Published inside the creating transaction; listeners after commit see the new row. */
    public record InvestigationQueued(UUID id) {}

    /** Published inside the transaction that ended it, whatever ended it; credentials are revoked after commit. */
    public record InvestigationEnded(UUID id, InvestigationStatus status) {}

    /** Published inside the cancelling transaction; the runtime stops the run after commit. */
    public record InvestigationCancelled(UUID id) {}

    InvestigationService(InvestigationRepository repository, IdempotencyKeys idempotencyKeys, InvestigationQueries queries,
            InvestigationProperties properties, TrustService trust, PlatformTransactionManager transactionManager,
            JsonMapper json, Clock clock, ApplicationEventPublisher publisher, EventStore events, CostLedgers costs,
            AuditLog audit, Notifications notifications, InvestigationMetrics metrics, Traces traces) {
        this.publisher = publisher;
        this.traces = traces;
        this.metrics = metrics;
        this.notifications = notifications;
        this.audit = audit;
        this.costs = costs;
        this.events = events;
        this.queries = queries;
        this.repository = repository;
        this.idempotencyKeys = idempotencyKeys;
        this.properties = properties;
        this.trust = trust;
        this.transactions = new TransactionTemplate(transactionManager);
        this.readOnly = new TransactionTemplate(transactionManager);
        this.readOnly.setReadOnly(true);
        this.json = json;
        this.clock = clock;
    }

    /**
     * Stores a new {@code QUEUED} investigation started through the API. With an idempotency key, a
     * repeat of the same body returns the first investigation; another body is refused.
     *
     * @param request a request that {@link InvestigationRequest#validate validates}
     * @throws IdempotencyKeyReusedException when the key was used with another body
     */
    public Created create(InvestigationRequest request, String principal, String idempotencyKey) {
        String tier = request.tierName(properties);
        if (idempotencyKey == null) {
            return transactions.execute(status -> new Created(persist(request, tier, principal), false));
        }
        String hash = fingerprint(request);
        // Two rounds at most: losing the race for a key means the winner's claim is now visible.
        for (int round = 0; round < 2; round++) {
            Created created = transactions.execute(status -> {
                Optional<IdempotencyKeys.Claim> claim = idempotencyKeys.find(principal, idempotencyKey);
                if (claim.isPresent()) {
                    return replay(claim.get(), hash);
                }
                InvestigationViews.Detail detail = persist(request, tier, principal);
                if (!idempotencyKeys.claim(principal, idempotencyKey, hash, detail.summary().id())) {
                    status.setRollbackOnly();
                    return null;
                }
                return new Created(detail, false);
            });
            if (created != null) {
                return created;
            }
        }
        throw new IllegalStateException("Idempotency-Key claim neither won nor visible after two rounds");
    }

    /**
     * Applies what a runtime observed to the state machine. Repeats and reports after the end are
     * ignored (and logged); a report that skips the lifecycle is refused.
     *
     * @return whether the investigation changed
     */
    public boolean report(UUID id, InvestigationStatus observed, String actor, String reason) {
        Boolean changed = transactions.execute(status -> {
            audit.lock();
            Investigation investigation = repository.findForUpdate(id).orElse(null);
            try (var ignored = MDC.putCloseable(MDC_KEY, id.toString())) {
                if (investigation == null) {
                    log.warn("Report {} by {} for an unknown investigation ignored", observed, actor);
                    return false;
                }
                InvestigationStatus before = investigation.status();
                int recorded = investigation.transitions().size();
                boolean applied = investigation.report(observed, actor, reason, clock.instant());
                if (applied) {
                    recordTransitions(investigation, recorded);
                    log.info("Investigation {} -> {} ({}): {}", before, observed, actor, reason);
                } else {
                    log.info("Report {} by {} ignored: investigation is {}", observed, actor, before);
                }
                return applied;
            }
        });
        return Boolean.TRUE.equals(changed);
    }

    public boolean exists(UUID id) {
        return repository.existsById(id);
    }

    /**
     * Checks that someone may see an investigation at all: shadow results are for operators and
     * admins reviewing after the fact (and for the investigation's own worker), not for viewers.
     *
     * @throws InvestigationNotFoundException when it does not exist or is not for this principal's eyes
     */
    public void requireVisible(UUID id, Authentication principal) {
        if (!queries.phaseOf(id).map(phase -> phase != TrustPhase.SHADOW || seesShadow(principal)).orElse(false)) {
            throw new InvestigationNotFoundException(id);
        }
    }

    public static boolean seesShadow(Authentication principal) {
        return principal != null && (principal.getPrincipal() instanceof WorkerCredentials.WorkerPrincipal
                || principal.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                        .anyMatch(a -> a.equals(Role.OPERATOR.authority()) || a.equals(Role.ADMIN.authority())));
    }

    public InvestigationViews.Detail get(UUID id) {
        return readOnly.execute(status -> repository.findById(id)
                .map(this::detail)
                .orElseThrow(() -> new InvestigationNotFoundException(id)));
    }

    /**
     * Cancels a non-terminal investigation.
     *
     * @throws IllegalTransitionException if it has ended, a cancelled one included
     */
    public InvestigationViews.Detail cancel(UUID id, String actor, String reason) {
        return transactions.execute(status -> {
            audit.lock();
            Investigation investigation = repository.findForUpdate(id)
                    .orElseThrow(() -> new InvestigationNotFoundException(id));
            try (var ignored = MDC.putCloseable(MDC_KEY, id.toString())) {
                int recorded = investigation.transitions().size();
                investigation.request(InvestigationStatus.CANCELLED, actor,
                        reason == null || reason.isBlank() ? "cancelled by " + actor : reason, clock.instant());
                repository.flush();
                recordTransitions(investigation, recorded);
                publisher.publishEvent(new InvestigationCancelled(id));
                log.info("Investigation cancelled by {}", actor);
            }
            return detail(investigation);
        });
    }

    /**
     * Stores a new {@code QUEUED} investigation started by alerts, within the caller's transaction
     * (the intake stores the alerts and their investigation together).
     *
     * @param request a valid request, built by the intake
     * @return its ID
     */
    public UUID createFromAlerts(InvestigationRequest request, String principal) {
        return transactions.execute(status -> persist(request, request.tierName(properties), principal,
                Source.ALERTMANAGER).id());
    }

    private InvestigationViews.Detail persist(InvestigationRequest request, String tier, String principal) {
        return detail(persist(request, tier, principal, Source.API));
    }

    private Investigation persist(InvestigationRequest request, String tier, String principal, Source source) {
        audit.lock();
        TrustPhase phase = trust.effectivePhase();
        UUID id = ids.next(clock.instant());
        Investigation investigation = Investigation.queued(id, request.title(), request.problem(),
                EnumSet.copyOf(request.domains()), request.severity(),
                request.labels() == null ? Map.of() : request.labels(), request.target(), tier, phase,
                source, principal);
        investigation.traceparent(traces.current());
        repository.saveAndFlush(investigation);
        audit.append(principal, "investigation.created", id, Map.of("title", investigation.title(),
                "severity", investigation.severity().name(), "tier", tier, "trustPhase", phase.name(),
                "source", source.name(), "domains", investigation.domains().stream().map(Enum::name).sorted().toList()));
        recordTransitions(investigation, 0);
        publisher.publishEvent(new InvestigationQueued(id));
        try (var ignored = MDC.putCloseable(MDC_KEY, id.toString())) {
            log.info("Investigation queued by {}: tier {}, phase {}, domains {}", principal, tier,
                    phase, investigation.domains());
        }
        return investigation;
    }

    /** The payload of a {@code STATE_CHANGED} event. */
    public record StateChanged(InvestigationStatus from, InvestigationStatus to, Instant at, String actor, String reason,
            boolean terminal) {}

    /** Appends a {@code STATE_CHANGED} event to the history for each transition from {@code first} on. */
    private void recordTransitions(Investigation investigation, int first) {
        List<Transition> transitions = investigation.transitions();
        for (Transition t : transitions.subList(first, transitions.size())) {
            events.appendServerEvent(investigation.id(), StoredEvent.STATE_CHANGED,
                    new StateChanged(t.from(), t.to(), t.at(), t.actor(), t.reason(), t.to().isTerminal()));
            Map<String, Object> change = new java.util.LinkedHashMap<>();
            change.put("from", t.from() == null ? null : t.from().name());
            change.put("to", t.to().name());
            change.put("reason", t.reason());
            audit.append(t.actor(), "investigation.transition", investigation.id(), change);
            metrics.transition(investigation, t);
            if (t.to() == InvestigationStatus.ESCALATED || t.to() == InvestigationStatus.FAILED) {
                notifications.enqueue(t.to() == InvestigationStatus.ESCALATED ? Event.ESCALATION
                        : Event.INVESTIGATION_FAILED, investigation.id(), "investigation \"" + investigation.title()
                        + "\" " + t.to().name().toLowerCase(java.util.Locale.ROOT)
                        + (t.reason() == null ? "" : ": " + t.reason()), change);
            }
            if (t.to().isTerminal()) {
                publisher.publishEvent(new InvestigationEnded(investigation.id(), t.to()));
                // The run's compute time: from the last RUNNING to its end.
                transitions.stream().filter(r -> r.to() == InvestigationStatus.RUNNING).reduce((a, b) -> b)
                        .ifPresent(running -> costs.recordCompute(investigation.id(),
                                Duration.between(running.at(), t.at())));
            }
        }
    }

    /** The API's view, with the queue position computed while queued. */
    private InvestigationViews.Detail detail(Investigation investigation) {
        return InvestigationViews.detail(investigation, investigation.status() == InvestigationStatus.QUEUED
                ? queries.queuePosition(investigation.id(), investigation.severity()) : null,
                costs.of(investigation.id()));
    }

    private Created replay(IdempotencyKeys.Claim claim, String hash) {
        if (!claim.requestHash().equals(hash)) {
            throw new IdempotencyKeyReusedException();
        }
        Investigation investigation = repository.findById(claim.investigationId())
                .orElseThrow(() -> new InvestigationNotFoundException(claim.investigationId()));
        return new Created(detail(investigation), true);
    }

    /** SHA-256 of the request's canonical JSON: key order, domain order and whitespace do not matter. */
    private String fingerprint(InvestigationRequest request) {
        InvestigationRequest canonical = new InvestigationRequest(request.title(), request.problem(),
                request.domains().stream().sorted().toList(), request.severity(),
                request.labels() == null || request.labels().isEmpty() ? null : new TreeMap<>(request.labels()),
                request.target() == null || request.target().isEmpty() ? null : request.target(), request.tier());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(canonical));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
