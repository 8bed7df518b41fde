package dev.nightshift.server.investigation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;

/** One step of an investigation's lifecycle, kept forever: the start of its audit trail. */
@Entity
@Table(name = "investigation_transitions")
public class Transition {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "investigation_id")
    private Investigation investigation;

    @Enumerated(EnumType.STRING)
    @Column(name = "from_status")
    private InvestigationStatus from;

    @Enumerated(EnumType.STRING)
    @Column(name = "to_status", nullable = false)
    private InvestigationStatus to;

    @Column(nullable = false)
    private String actor;

    private String reason;

    @Column(name = "occurred_at", nullable = false)
    private Instant at;

    protected Transition() {}

    Transition(Investigation investigation, InvestigationStatus from, InvestigationStatus to, String actor,
            String reason, Instant at) {
        this.investigation = investigation;
        this.from = from;
        this.to = to;
        this.actor = actor;
        this.reason = reason;
        this.at = at;
    }

    public InvestigationStatus from() {
        return from;
    }

    public InvestigationStatus to() {
        return to;
    }

    public String actor() {
        return actor;
    }

    public String reason() {
        return reason;
    }

    public Instant at() {
        return at;
    }
}
