package dev.nightshift.server.investigation;

import dev.nightshift.server.system.UuidV7;
import dev.nightshift.server.trust.TrustPhase;
import jakarta.persistence.CascadeType;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * An investigation and its lifecycle. State changes go through {@link #request} (an operator asks:
 * illegal is an error) or {@link #report} (a runtime observed something: repeats and late reports
 * are ignored); both record a {@link Transition}.
 */
@Entity
@Table(name = "investigations")
public class Investigation {

    @Id
    private UUID id;

    @Column(nullable = false)
    private String title;

    @Column(nullable = false)
    private String problem;

    @ElementCollection
    @CollectionTable(name = "investigation_domains", joinColumns = @JoinColumn(name = "investigation_id"))
    @Column(name = "domain", nullable = false)
    @Enumerated(EnumType.STRING)
    private Set<Domain> domains = EnumSet.noneOf(Domain.class);

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private Severity severity;

    @ElementCollection
    @CollectionTable(name = "investigation_labels", joinColumns = @JoinColumn(name = "investigation_id"))
    @MapKeyColumn(name = "label_key")
    @Column(name = "label_value", nullable = false)
    private Map<String, String> labels = new HashMap<>();

    @Embedded
    private Target target;

    @Column(nullable = false)
    private String tier;

    @Enumerated(EnumType.STRING)
    @Column(name = "trust_phase", nullable = false)
    private TrustPhase trustPhase;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private InvestigationStatus status;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private Source source;

    @Column(name = "created_by", nullable = false)
    private String createdBy;

    /** The W3C trace context of its creation; its launch continues that trace. */
    @Column(name = "traceparent")
    private String traceparent;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private Long version;

    @OneToMany(mappedBy = "investigation", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("id")
    private List<Transition> transitions = new ArrayList<>();

    protected Investigation() {}

    /**
     * A new {@code QUEUED} investigation. Its creation time is the instant inside its ID, so that
     * time-range filters and ID order agree to the millisecond.
     */
    public static Investigation queued(UUID id, String title, String problem, Set<Domain> domains, Severity severity,
            Map<String, String> labels, Target target, String tier, TrustPhase trustPhase, Source source,
            String createdBy) {
        Investigation investigation = new Investigation();
        investigation.id = id;
        investigation.title = title;
        investigation.problem = problem;
        investigation.domains = EnumSet.copyOf(domains);
        investigation.severity = severity;
        investigation.labels = new HashMap<>(labels);
        investigation.target = target == null || target.isEmpty() ? null : target;
        investigation.tier = tier;
        investigation.trustPhase = trustPhase;
        investigation.source = source;
        investigation.createdBy = createdBy;
        investigation.status = InvestigationStatus.QUEUED;
        investigation.createdAt = UuidV7.timestamp(id);
        investigation.updatedAt = investigation.createdAt;
        investigation.transitions.add(new Transition(investigation, null, InvestigationStatus.QUEUED, createdBy,
                "created", investigation.createdAt));
        return investigation;
    }

    /**
     * Moves to {@code next} because someone asked for it.
     *
     * @throws IllegalTransitionException if the lifecycle does not allow it, including any request
     *     on a terminal investigation
     */
    public void request(InvestigationStatus next, String actor, String reason, Instant at) {
        if (!status.canMoveTo(next)) {
            throw new IllegalTransitionException(id, status, next);
        }
        move(next, actor, reason, at);
    }

    /**
     * Records what a runtime observed. A report of the current state, or any report after the
     * investigation ended, changes nothing and returns {@code false}. A success or escalation
     * reported while still {@code LAUNCHING} records {@code RUNNING} first.
     *
     * @throws IllegalTransitionException if the report skips the lifecycle in any other way
     */
    public boolean report(InvestigationStatus observed, String actor, String reason, Instant at) {
        if (observed == status || status.isTerminal()) {
            return false;
        }
        if (status == InvestigationStatus.LAUNCHING
                && (observed == InvestigationStatus.SUCCEEDED || observed == InvestigationStatus.ESCALATED)) {
            move(InvestigationStatus.RUNNING, actor, "implied by " + observed, at);
        }
        request(observed, actor, reason, at);
        return true;
    }

    private void move(InvestigationStatus next, String actor, String reason, Instant at) {
        transitions.add(new Transition(this, status, next, actor, reason, at));
        status = next;
        updatedAt = at;
    }

    /** Records the trace the investigation was created in (null outside any). */
    public void traceparent(String context) {
        this.traceparent = context;
    }

    public UUID id() {
        return id;
    }

    public String title() {
        return title;
    }

    public String problem() {
        return problem;
    }

    public Set<Domain> domains() {
        return Collections.unmodifiableSet(domains);
    }

    public Severity severity() {
        return severity;
    }

    public Map<String, String> labels() {
        return Collections.unmodifiableMap(labels);
    }

    public Target target() {
        return target;
    }

    public String tier() {
        return tier;
    }

    public TrustPhase trustPhase() {
        return trustPhase;
    }

    public InvestigationStatus status() {
        return status;
    }

    public Source source() {
        return source;
    }

    public String createdBy() {
        return createdBy;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public List<Transition> transitions() {
        return Collections.unmodifiableList(transitions);
    }
}
